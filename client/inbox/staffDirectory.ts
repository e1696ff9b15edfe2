/**
 * Who a thread can be assigned to: the practice's PractitionerRoles with their Practitioners included (one
 * request, read when the picker first opens). An assignment names the Practitioner, with the name as display so
 * the EHR's own worklists can show it too.
 */
import type { Bundle, Practitioner, PractitionerRole, Task } from '@medplum/fhirtypes';
import { queryOptions } from '@tanstack/react-query';
import { APP_CONFIG } from '../config';
import type { FhirSession } from '../fhir/smartClient';
import { formatName } from '../thread/messageModel';
import type { Query } from '../thread/threadQueries';
import { inboxKeys } from './inboxKeys';

export interface StaffMember {
  /** `Practitioner/<id>`: what Task.owner points to. */
  reference: string;
  name: string;
  /** "Clinician", "Front desk", … from the role. */
  role?: string;
}

/** Staff from a PractitionerRole search with `_include=PractitionerRole:practitioner` (pure), sorted by name. */
export function readStaff(bundle: Bundle): StaffMember[] {
  const people = new Map<string, Practitioner>();
  const roles: PractitionerRole[] = [];
  for (const entry of bundle.entry ?? []) {
    const r = entry.resource;
    if (r?.resourceType === 'Practitioner' && r.id) people.set(`Practitioner/${r.id}`, r);
    if (r?.resourceType === 'PractitionerRole' && r.active !== false) roles.push(r);
  }
  const staff = new Map<string, StaffMember>();
  for (const role of roles) {
    const reference = role.practitioner?.reference;
    const person = reference ? people.get(reference) : undefined;
    if (!reference || !person || person.active === false || staff.has(reference)) continue;
    const name = formatName(person.name) ?? role.practitioner?.display ?? reference;
    const roleText = role.code?.[0]?.text ?? role.code?.[0]?.coding?.[0]?.display;
    staff.set(reference, { reference, name, ...(roleText ? { role: roleText } : {}) });
  }
  return [...staff.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** The owner reference an assignment writes. */
export function ownerReference(member: StaffMember): NonNullable<Task['owner']> {
  return { reference: member.reference, display: member.name };
}

/** The practice's staff, for the assignment picker. */
export function staffQuery(session: FhirSession): Query<StaffMember[], readonly [...typeof inboxKeys.all, 'staff']> {
  return queryOptions({
    queryKey: [...inboxKeys.all, 'staff'] as const,
    queryFn: async ({ signal }) =>
      readStaff(
        await session.search<PractitionerRole>(
          'PractitionerRole',
          new URLSearchParams([
            ['organization', `Organization/${APP_CONFIG.practiceOrganizationId}`],
            ['_include', 'PractitionerRole:practitioner'],
            ['_count', '200'],
          ]),
          signal,
        ),
      ),
    staleTime: 10 * 60_000,
  });
}
