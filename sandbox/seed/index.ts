/**
 * The sandbox EHR's seed: deterministic for a given `now` (all history is written relative to it). Tests pass a
 * fixed date (SEED_EPOCH); the running sandbox passes the time of the reset.
 */
import type { Resource } from '@medplum/fhirtypes';
import { familyRelatedPerson, patients, practiceOrganization, staff } from './seedPeople';
import { seedThreads } from './seedThreads';

export * from './roster';
export { seedSid } from './threadWriter';
export { toE164 } from './seedPeople';

/** Every seed resource: the practice, staff, 26 patients, the family's RelatedPerson, threads, Tasks and Consents. */
export function buildSeed(now: Date): Resource[] {
  const directorySince = new Date(now.getTime() - 120 * 86_400_000).toISOString();
  return [
    practiceOrganization(directorySince),
    ...staff(directorySince),
    ...patients(directorySince),
    familyRelatedPerson(directorySince),
    ...seedThreads(now),
  ];
}
