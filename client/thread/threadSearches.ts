/**
 * The searches behind a thread, as URL parameters (no React, no react-query: the page's entry script starts the
 * first one while the app is still loading). docs/decisions/047-thread-paging-and-virtualisation.md
 */
import type { Communication } from '@medplum/fhirtypes';
import { CODE_SYSTEMS, CODES, EXTERNAL_SYSTEMS, hasCoding, TOKENS } from '../../fhir-profiles/vocabulary';

/** The SMS messages of a patient: kind message, medium SMSWRIT. */
function messageFilter(patientId: string): URLSearchParams {
  return new URLSearchParams([
    ['subject', `Patient/${patientId}`],
    ['medium', TOKENS.smsMedium],
    ['category', TOKENS.message],
  ]);
}

/** Latest page first (`_sort=-sent`), with the senders of the page included to name them. */
export function threadPageSearch(patientId: string, pageSize: number): URLSearchParams {
  const params = messageFilter(patientId);
  params.append('_sort', '-sent');
  params.append('_count', String(pageSize));
  params.append('_include', 'Communication:sender');
  return params;
}

/**
 * What changed since `since` (meta.lastUpdated): the live poll. Only the patient and the time are in the query, so
 * the idle answer (an empty Bundle whose links repeat the query) stays well under 1 KB; the client keeps the SMS
 * messages among the results (isSmsMessage) and names senders from what it already knows (MessageRow).
 */
export function changesSearch(patientId: string, since: string): URLSearchParams {
  return new URLSearchParams([
    ['subject', `Patient/${patientId}`],
    ['_lastUpdated', `gt${since}`],
    ['_sort', '_lastUpdated'],
    ['_count', '50'],
  ]);
}

/** True for a ChartText SMS message (kind message, medium SMSWRIT), as the thread searches select them. */
export function isSmsMessage(resource: Communication): boolean {
  return (
    hasCoding(resource.category, CODE_SYSTEMS.communicationKind, CODES.communicationKind.message) &&
    hasCoding(resource.medium, EXTERNAL_SYSTEMS.participationMode, CODES.medium.sms)
  );
}

/** Outbound messages not yet sent (they have no `sent`, so `_sort=-sent` may put them on the last page). */
export function unsentSearch(patientId: string): URLSearchParams {
  const params = messageFilter(patientId);
  params.append('status', 'preparation,in-progress');
  params.append('_count', '50');
  params.append('_include', 'Communication:sender');
  return params;
}
