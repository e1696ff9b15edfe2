/**
 * The thread key: one SMS conversation per (patient or related person, practice SMS number).
 * The client and the relay both build it here, so a header created by either is found by the other.
 * Stored as `Communication.identifier` (system IDENTIFIER_SYSTEMS.thread) on the thread header; see
 * docs/decisions/043-thread-header-and-key.md.
 */

/** E.164: a plus, a non-zero country code digit, up to 15 digits in all (ITU-T E.164). */
const E164 = /^\+[1-9]\d{6,14}$/;

/** Subject references a thread can belong to. */
const SUBJECT = /^(Patient|RelatedPerson)\/[A-Za-z0-9\-.]{1,64}$/;

/** True when `value` is an E.164 phone number such as `+12015550100`. */
export function isE164(value: string): boolean {
  return E164.test(value);
}

/** The thread key `<Patient|RelatedPerson>/<id>|<practice number E.164>`; throws on a malformed part. */
export function threadKey(subjectReference: string, practiceNumberE164: string): string {
  if (!SUBJECT.test(subjectReference)) {
    throw new Error(`Thread subject must be a Patient or RelatedPerson reference, got "${subjectReference}"`);
  }
  if (!isE164(practiceNumberE164)) {
    throw new Error('The practice SMS number must be in E.164 form, e.g. +12015550100');
  }
  return `${subjectReference}|${practiceNumberE164}`;
}

/** Splits a thread key back into its subject reference and practice number, or undefined if malformed. */
export function parseThreadKey(key: string): { subjectReference: string; practiceNumberE164: string } | undefined {
  const bar = key.lastIndexOf('|');
  if (bar < 0) return undefined;
  const subjectReference = key.slice(0, bar);
  const practiceNumberE164 = key.slice(bar + 1);
  if (!SUBJECT.test(subjectReference) || !isE164(practiceNumberE164)) return undefined;
  return { subjectReference, practiceNumberE164 };
}
