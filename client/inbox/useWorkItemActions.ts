/**
 * The front desk's actions on a thread, as mutations: assign (Task.owner), "no reply needed", close and reopen the
 * thread (header status). Each is a versioned update; afterwards the inbox and the thread's Task are read again, so
 * counts and rows follow at once. docs/decisions/071-assignment-and-closing.md
 */
import type { Communication, Task } from '@medplum/fhirtypes';
import { useMutation, useQueryClient, type UseMutationResult } from '@tanstack/react-query';
import { TOKENS } from '../../fhir-profiles/vocabulary';
import { useSession } from '../app/sessionContext';
import type { FhirSession } from '../fhir/smartClient';
import { OPEN_TASK_STATUSES, taskKeys } from '../thread/threadQueries';
import { inboxKeys } from './inboxKeys';
import { updateVersioned } from '../fhir/updateVersioned';
import { assigned, isOpenTask, noReplyNeeded, withThreadStatus } from './workItems';

type Saved<T> = T & { id: string };

/** The react-query key of a thread header read by its reference (the opened thread's Close/Reopen state). */
export const headerKey = (reference: string) => ['Communication', 'header-by-reference', reference] as const;

/** The open needs-response Task of a thread header, if any. */
export async function openNeedsResponseTask(
  session: FhirSession,
  headerReference: string,
): Promise<Saved<Task> | undefined> {
  const bundle = await session.search<Task>(
    'Task',
    new URLSearchParams([
      ['focus', headerReference],
      ['code', TOKENS.needsResponse],
      ['status', OPEN_TASK_STATUSES.join(',')],
      ['_count', '10'],
    ]),
  );
  return bundle.entry
    ?.map((e) => e.resource)
    .find((t): t is Saved<Task> => t?.resourceType === 'Task' && !!t.id && isOpenTask(t));
}

function useRefresh(patientId: string): () => Promise<void> {
  const client = useQueryClient();
  return async () => {
    await Promise.all([
      client.invalidateQueries({ queryKey: inboxKeys.all }),
      client.invalidateQueries({ queryKey: taskKeys.needsResponse(patientId) }),
    ]);
  };
}

/** Assigns the thread's Task to a staff member, or unassigns it (`owner` undefined). */
export function useAssign(
  patientId: string,
): UseMutationResult<Saved<Task>, Error, { task: Saved<Task>; owner: Task['owner'] }> {
  const session = useSession();
  const refresh = useRefresh(patientId);
  return useMutation({
    mutationFn: ({ task, owner }) =>
      updateVersioned(session, task, (current) =>
        current.owner?.reference === owner?.reference ? undefined : assigned(current, owner, new Date()),
      ),
    onSettled: refresh,
  });
}

/** Closes the thread's Task without a reply ("no reply needed"). */
export function useNoReplyNeeded(patientId: string): UseMutationResult<Saved<Task>, Error, { task: Saved<Task> }> {
  const session = useSession();
  const refresh = useRefresh(patientId);
  return useMutation({
    mutationFn: ({ task }) =>
      updateVersioned(session, task, (current) =>
        isOpenTask(current) ? noReplyNeeded(current, new Date()) : undefined,
      ),
    onSettled: refresh,
  });
}

/**
 * Closes or reopens the thread: the header's status. Closing also settles its open needs-response Task as "no reply
 * needed" (a closed thread waits for nobody); the next text from the patient reopens both (relay, ADR 52).
 */
export function useThreadStatus(
  patientId: string,
): UseMutationResult<Saved<Communication>, Error, { headerReference: string; status: 'in-progress' | 'completed' }> {
  const session = useSession();
  const client = useQueryClient();
  const refresh = useRefresh(patientId);
  return useMutation({
    mutationFn: async ({ headerReference, status }) => {
      const id = headerReference.split('/')[1] ?? '';
      const header = await session.read<Communication>('Communication', id);
      const saved = await updateVersioned(session, { ...header, id }, (current) =>
        current.status === status ? undefined : withThreadStatus(current, status),
      );
      if (status === 'completed') {
        const task = await openNeedsResponseTask(session, headerReference);
        if (task) {
          await updateVersioned(session, task, (current) =>
            isOpenTask(current) ? noReplyNeeded(current, new Date()) : undefined,
          );
        }
      }
      return saved;
    },
    onSuccess: (saved, { headerReference }) => client.setQueryData(headerKey(headerReference), saved),
    onSettled: refresh,
  });
}
