/**
 * The reads and writes of triage: who already has this number on file (a shared family phone), the front desk's
 * patient search, a patient's family members (who may have sent it), linking, and closing as wrong number or spam.
 */
import type { Bundle, Communication, Patient, RelatedPerson, Resource, Task } from '@medplum/fhirtypes';
import { queryOptions, useMutation, useQueryClient, type UseMutationResult } from '@tanstack/react-query';
import { EXTERNAL_SYSTEMS } from '../../../fhir-profiles/vocabulary';
import { useSession } from '../../app/sessionContext';
import { APP_CONFIG } from '../../config';
import type { FhirSession } from '../../fhir/smartClient';
import { updateVersioned } from '../../fhir/updateVersioned';
import { formatName } from '../../thread/messageModel';
import { communicationKeys, patientKeys, practiceNumberQuery, taskKeys, type Query } from '../../thread/threadQueries';
import { inboxKeys } from '../inboxKeys';
import { runBatch } from '../inboxQueries';
import { writtenForms } from '../phoneForms';
import { closedTriage, isOpenTask, type TriageOutcome } from '../workItems';
import { linkMessage, type Sender } from './linkMessage';

type Saved<T> = T & { id: string };

/** A person who may have sent the text. */
export interface Candidate extends Sender {
  name: string;
  /** "Patient", or how a related person is related ("father of Lucas Torres"). */
  relation: string;
  birthDate?: string;
  /** Telecom values on file, to say whether the number is already there. */
  telecom: string[];
}

const RELATION_WORDS: Record<string, string> = {
  FTH: 'father',
  MTH: 'mother',
  PRN: 'parent',
  GRD: 'guardian',
  SPS: 'spouse',
  CHILD: 'child',
};

function patientCandidate(patient: Patient): Candidate | undefined {
  if (!patient.id) return undefined;
  return {
    patientId: patient.id,
    participant: `Patient/${patient.id}`,
    name: formatName(patient.name) ?? 'Unnamed patient',
    relation: 'Patient',
    ...(patient.birthDate ? { birthDate: patient.birthDate } : {}),
    telecom: (patient.telecom ?? []).flatMap((t) => (t.value ? [t.value] : [])),
  };
}

function relatedCandidate(person: RelatedPerson, patients: Map<string, Patient>): Candidate | undefined {
  const patientId = person.patient.reference?.split('/')[1];
  if (!person.id || !patientId) return undefined;
  const code = person.relationship
    ?.flatMap((r) => r.coding ?? [])
    .find((c) => c.system === EXTERNAL_SYSTEMS.v3RoleCode);
  const word = (code?.code && RELATION_WORDS[code.code]) ?? code?.display ?? 'family member';
  const patientName = formatName(patients.get(patientId)?.name) ?? person.patient.display;
  return {
    patientId,
    participant: `RelatedPerson/${person.id}`,
    name: formatName(person.name) ?? 'Unnamed family member',
    relation: patientName ? `${word} of ${patientName}` : word,
    telecom: (person.telecom ?? []).flatMap((t) => (t.value ? [t.value] : [])),
  };
}

/** Candidates from search Bundles of Patients and RelatedPersons (with their patients included), pure. */
export function readCandidates(...bundles: (Resource | undefined)[]): Candidate[] {
  const resources = bundles.flatMap((b) =>
    b?.resourceType === 'Bundle' ? (b.entry ?? []).flatMap((e) => (e.resource ? [e.resource] : [])) : [],
  );
  const patients = new Map(
    resources.filter((r): r is Patient => r.resourceType === 'Patient' && !!r.id).map((p) => [p.id ?? '', p]),
  );
  const matched = (r: Resource): boolean =>
    bundles.some((b) =>
      (b as Bundle | undefined)?.entry?.some((e) => e.resource === r && e.search?.mode !== 'include'),
    );
  const out: Candidate[] = [];
  for (const r of resources) {
    if (!matched(r)) continue;
    const candidate =
      r.resourceType === 'Patient'
        ? patientCandidate(r)
        : r.resourceType === 'RelatedPerson'
          ? relatedCandidate(r, patients)
          : undefined;
    if (candidate && !out.some((c) => c.participant === candidate.participant)) out.push(candidate);
  }
  return out;
}

type TriageKey = readonly [...typeof inboxKeys.all, 'triage', ...string[]];

const triageKey = (...parts: string[]): TriageKey => [...inboxKeys.all, 'triage', ...parts] as const;

/** Everyone with this number on file (patients and related persons): one batch. */
export function numberOwnersQuery(session: FhirSession, e164: string): Query<Candidate[], TriageKey> {
  return queryOptions({
    queryKey: triageKey('owners', e164),
    queryFn: async ({ signal }) => {
      const phone = writtenForms(e164).join(',');
      const response = await runBatch(
        session,
        {
          resourceType: 'Bundle',
          type: 'batch',
          entry: [
            {
              request: {
                method: 'GET',
                url: `Patient?${new URLSearchParams([
                  ['phone', phone],
                  ['_count', '20'],
                ]).toString()}`,
              },
            },
            {
              request: {
                method: 'GET',
                url: `RelatedPerson?${new URLSearchParams([
                  ['phone', phone],
                  ['_include', 'RelatedPerson:patient'],
                  ['_count', '20'],
                ]).toString()}`,
              },
            },
          ],
        },
        signal,
      );
      return readCandidates(response.entry?.[0]?.resource, response.entry?.[1]?.resource);
    },
    staleTime: 60_000,
  });
}

/** The front desk's patient search. */
export function patientSearchQuery(
  session: FhirSession,
  params: URLSearchParams | undefined,
): Query<Candidate[], TriageKey> {
  return queryOptions({
    queryKey: triageKey('search', params?.toString() ?? ''),
    queryFn: async ({ signal }) =>
      readCandidates(await session.search<Patient>('Patient', params ?? new URLSearchParams(), signal)),
    enabled: params !== undefined,
    staleTime: 60_000,
  });
}

/** A patient's family members, who may be the ones texting. */
export function familyQuery(session: FhirSession, patientId: string | undefined): Query<Candidate[], TriageKey> {
  return queryOptions({
    queryKey: triageKey('family', patientId ?? ''),
    queryFn: async ({ signal }) =>
      readCandidates(
        await session.search<RelatedPerson>(
          'RelatedPerson',
          new URLSearchParams([
            ['patient', `Patient/${patientId ?? ''}`],
            ['_include', 'RelatedPerson:patient'],
            ['_count', '20'],
          ]),
          signal,
        ),
      ),
    enabled: patientId !== undefined,
    staleTime: 60_000,
  });
}

export interface LinkVariables {
  message: Saved<Communication>;
  triageTask: Saved<Task>;
  sender: Sender;
  addNumber?: string;
}

/** Links the message to its sender; afterwards the inbox, the thread and its Task are read again. */
export function useLinkMessage(): UseMutationResult<{ headerId: string }, Error, LinkVariables> {
  const session = useSession();
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (variables) => {
      const practiceNumber = await client.ensureQueryData(
        practiceNumberQuery(session, APP_CONFIG.practiceOrganizationId),
      );
      return linkMessage(session, { ...variables, practiceNumber });
    },
    onSettled: async (_data, _error, variables) => {
      const patientId = variables.sender.patientId;
      await Promise.all([
        client.invalidateQueries({ queryKey: inboxKeys.all }),
        client.invalidateQueries({ queryKey: communicationKeys.thread(patientId) }),
        client.invalidateQueries({ queryKey: taskKeys.needsResponse(patientId) }),
        client.invalidateQueries({ queryKey: patientKeys.detail(patientId) }),
      ]);
    },
  });
}

/** Closes a triage Task as wrong number or spam (the message stays, unlinked, in the EHR). */
export function useCloseTriage(): UseMutationResult<
  Saved<Task>,
  Error,
  { task: Saved<Task>; outcome: Exclude<TriageOutcome, 'linked'> }
> {
  const session = useSession();
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ task, outcome }) =>
      updateVersioned(session, task, (current) =>
        isOpenTask(current) ? closedTriage(current, outcome, new Date()) : undefined,
      ),
    onSettled: () => client.invalidateQueries({ queryKey: inboxKeys.all }),
  });
}
