/**
 * Who sent an inbound SMS: the Patient or RelatedPerson whose telecom normalises to the sender's number.
 * The search tries the written forms a chart may hold (token search is exact), then every candidate is compared in
 * E.164. Exactly one patient is a match; several (a shared family phone) or none go to front-desk triage — the relay
 * never guesses (DESIGN.md, "Receive").
 */
import type { ContactPoint, Patient, RelatedPerson } from '@medplum/fhirtypes';
import type { CountryCode } from 'libphonenumber-js';
import type { SearchParams } from './fhirStore';
import { toE164, writtenForms } from './normalisePhone';

export type SenderMatch =
  /** One patient: `participant` is who texts (the Patient, or the RelatedPerson speaking for them). */
  | { kind: 'one'; participant: string; patient: string }
  /** Several people share the number: the patients it could be about. */
  | { kind: 'several'; patients: string[] }
  | { kind: 'none' };

/** Search parameters that find Patients or RelatedPersons holding `e164` in any common written form. */
export function senderSearch(e164: string): SearchParams {
  return { telecom: writtenForms(e164).join(','), _count: '50' };
}

function holdsNumber(telecom: readonly ContactPoint[] | undefined, e164: string, region: CountryCode): boolean {
  return (telecom ?? []).some(
    (point) => (point.system === 'phone' || point.system === 'sms') && toE164(point.value, region) === e164,
  );
}

/** Decides the sender from the search results (pure: the comparison is in E.164, whatever the search matched). */
export function decideSender(
  e164: string | undefined,
  patients: readonly Patient[],
  relatedPersons: readonly RelatedPerson[],
  region: CountryCode,
): SenderMatch {
  if (!e164) return { kind: 'none' };
  const patientRefs = patients
    .filter((patient) => patient.active !== false && patient.id && holdsNumber(patient.telecom, e164, region))
    .map((patient) => `Patient/${patient.id}`);
  const related = relatedPersons.filter(
    (person) =>
      person.active !== false &&
      person.id &&
      person.patient?.reference?.startsWith('Patient/') &&
      holdsNumber(person.telecom, e164, region),
  );
  const aboutPatients = new Set<string>([
    ...patientRefs,
    ...related.map((person) => person.patient.reference as string),
  ]);
  if (aboutPatients.size === 0) return { kind: 'none' };
  if (aboutPatients.size > 1) return { kind: 'several', patients: [...aboutPatients].sort() };
  const [patient] = [...aboutPatients] as [string];
  // The patient's own chart holds the number (a minor's chart often holds a parent's phone): their own thread.
  if (patientRefs.length === 1) return { kind: 'one', participant: patient, patient };
  const [only, ...others] = related;
  if (only && others.length === 0) return { kind: 'one', participant: `RelatedPerson/${only.id}`, patient };
  // Two relatives of one patient share a phone: which of them wrote is a guess, so staff decide.
  return { kind: 'several', patients: [patient] };
}
