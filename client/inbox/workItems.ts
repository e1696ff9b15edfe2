/**
 * The front desk's changes to work items, as pure functions from the resource read to the resource to write:
 * assignment (Task.owner), "no reply needed", closing and reopening a thread (header status), closing a triage
 * Task. Each keeps what it does not change, so a versioned update loses nothing. Profiles: docs/fhir.md,
 * ChartTextNeedsResponseTask, ChartTextTriageTask, ChartTextThreadHeader.
 */
import type { Communication, Task } from '@medplum/fhirtypes';
import { CODES, CONCEPTS } from '../../fhir-profiles/vocabulary';

type Saved<T> = T & { id: string };

/** Task statuses that end a work item. */
const CLOSED_TASK_STATUSES = new Set(['completed', 'cancelled', 'failed', 'rejected', 'entered-in-error']);

/** True while the Task still waits for someone. */
export function isOpenTask(task: Task): boolean {
  return !CLOSED_TASK_STATUSES.has(task.status);
}

/** The Task assigned to `owner` (a Practitioner or PractitionerRole), or unassigned when `owner` is undefined. */
export function assigned(task: Saved<Task>, owner: Task['owner'], now: Date): Saved<Task> {
  const { owner: _previous, ...rest } = task;
  return { ...rest, ...(owner ? { owner } : {}), lastModified: now.toISOString() };
}

/** A needs-response Task closed without a reply: staff decided none is needed. */
export function noReplyNeeded(task: Saved<Task>, now: Date): Saved<Task> {
  return {
    ...task,
    status: 'completed',
    businessStatus: CONCEPTS.taskBusinessStatus(CODES.taskBusinessStatus.noReplyNeeded),
    lastModified: now.toISOString(),
    executionPeriod: { ...task.executionPeriod, end: now.toISOString() },
  };
}

/** A thread header opened (`in-progress`) or closed (`completed`). */
export function withThreadStatus(
  header: Saved<Communication>,
  status: 'in-progress' | 'completed',
): Saved<Communication> {
  return { ...header, status };
}

export type TriageOutcome = 'linked' | 'wrong-number' | 'spam';

/** A triage Task closed: linked to `patient` (required by ctt-task-4), or marked wrong number or spam. */
export function closedTriage(task: Saved<Task>, outcome: TriageOutcome, now: Date, patient?: string): Saved<Task> {
  if (outcome === 'linked' && !patient) throw new Error('A linked triage Task names the patient.');
  return {
    ...task,
    status: 'completed',
    businessStatus: CONCEPTS.taskBusinessStatus(
      CODES.taskBusinessStatus[outcome === 'linked' ? 'linked' : outcome === 'spam' ? 'spam' : 'wrongNumber'],
    ),
    ...(outcome === 'linked' && patient ? { for: { reference: patient } } : {}),
    lastModified: now.toISOString(),
    executionPeriod: { ...task.executionPeriod, end: now.toISOString() },
  };
}
