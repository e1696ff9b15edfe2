/**
 * Inbound messages the user has seen are marked read on the thread's needs-response Task (DESIGN.md: read state is
 * a Task, not Communication.status): the Task's read-at extension is a watermark, "every inbound message sent at
 * or before this instant has been seen by staff". The front desk's unread count is the inbound messages after it.
 * docs/decisions/046-read-state-on-task.md
 */
import type { Task } from '@medplum/fhirtypes';
import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { EXTENSIONS } from '../../fhir-profiles/vocabulary';
import { useSession } from '../app/sessionContext';
import { isFhirError } from '../fhir/fhirErrors';
import type { FhirSession } from '../fhir/smartClient';
import { needsResponseTaskQuery, taskKeys } from './threadQueries';

/** Waits this long after the user saw a message before writing, so scrolling past many writes once. */
const SETTLE_MS = 800;

/** The read-at watermark of a Task. */
export function readAtOf(task: Task | null | undefined): string | undefined {
  return task?.extension?.find((e) => e.url === EXTENSIONS.readAt)?.valueDateTime;
}

/** The Task with its read-at watermark moved to `seenAt`. */
export function withReadAt(task: Task & { id: string }, seenAt: string): Task & { id: string } {
  return {
    ...task,
    extension: [
      ...(task.extension ?? []).filter((e) => e.url !== EXTENSIONS.readAt),
      { url: EXTENSIONS.readAt, valueDateTime: seenAt },
    ],
  };
}

/** Marks inbound messages up to `seenAt` (the newest inbound message the user has had on screen) as read. */
export function useMarkRead(patientId: string, seenAt: string | undefined): void {
  const session: FhirSession = useSession();
  const client: QueryClient = useQueryClient();
  const task = useQuery({ ...needsResponseTaskQuery(session, patientId), enabled: seenAt !== undefined });
  const mark = useMutation({
    mutationKey: ['mark-read', patientId],
    mutationFn: async ({ current, at }: { current: Task & { id: string }; at: string }) =>
      (
        await session.update(
          withReadAt(current, at),
          current.meta?.versionId ? { ifMatch: current.meta.versionId } : {},
        )
      ).resource,
    onSuccess: (saved) => client.setQueryData(taskKeys.needsResponse(patientId), saved),
    onError: (error) => {
      // Someone else updated the Task: read it again and the effect below tries once more.
      if (isFhirError(error, 'conflict'))
        void client.invalidateQueries({ queryKey: taskKeys.needsResponse(patientId) });
    },
  });

  const current = task.data;
  const { mutate, isPending, isError, variables } = mark;
  useEffect(() => {
    if (!seenAt || !current?.id || isPending) return;
    const readAt = readAtOf(current);
    if (readAt && readAt >= seenAt) return;
    // A refusal other than a conflict (e.g. no Task update scope) is not retried for the same watermark.
    if (isError && variables?.at === seenAt && variables.current.meta?.versionId === current.meta?.versionId) return;
    const timer = setTimeout(
      () => mutate({ current: { ...current, id: current.id as string }, at: seenAt }),
      SETTLE_MS,
    );
    return () => clearTimeout(timer);
  }, [seenAt, current, isPending, isError, variables, mutate]);
}
