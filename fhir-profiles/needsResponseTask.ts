/**
 * A new needs-response Task (profile ChartTextNeedsResponseTask): the front desk's work item for a thread whose patient
 * waits for an answer. The relay opens it on an inbound text and the client on linking an unknown number's text, so
 * both build it here, alike. docs/decisions/052-inbound-filing.md, 072-unknown-number-triage.md
 */
import type { Task } from '@medplum/fhirtypes';
import { CODES, CONCEPTS, PROFILES } from './vocabulary';

/** The Task for `thread` (a Communication reference) of `patient`, waiting since `since` (ISO), written at `now`. */
export function newNeedsResponseTask(thread: string, patient: string, since: string, now: Date): Task {
  return {
    resourceType: 'Task',
    meta: { profile: [PROFILES.needsResponseTask] },
    status: 'requested',
    intent: 'order',
    code: CONCEPTS.task(CODES.task.needsResponse),
    businessStatus: CONCEPTS.taskBusinessStatus(CODES.taskBusinessStatus.waiting),
    focus: { reference: thread },
    for: { reference: patient },
    authoredOn: now.toISOString(),
    lastModified: now.toISOString(),
    // When the wait began: the inbox shows how long the oldest unanswered text has waited from it.
    executionPeriod: { start: since },
  };
}
