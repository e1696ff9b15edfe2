/**
 * Sending, optimistically: the message shows at once; if the EHR refuses it, it disappears again and the composer
 * shows the server's OperationOutcome text (and gets the draft back). If the network drops, the message stays as
 * "not saved" with Retry, which repeats the same idempotent create. After the create, the relay is nudged and the
 * thread's needs-response Task is completed (a reply was sent).
 */
import type { Communication, Task } from '@medplum/fhirtypes';
import { useMutation, useQueryClient, type UseMutationResult } from '@tanstack/react-query';
import { useMemo } from 'react';
import { CODES, CONCEPTS } from '../../fhir-profiles/vocabulary';
import { useSession } from '../app/sessionContext';
import { APP_CONFIG } from '../config';
import { isFhirError } from '../fhir/fhirErrors';
import { updateVersioned } from '../fhir/updateVersioned';
import { inboxKeys } from '../inbox/inboxKeys';
import type { FhirSession } from '../fhir/smartClient';
import type { ThreadMessage } from './messageModel';
import { toThreadMessage } from './messageModel';
import { nudgeRelay } from './nudgeRelay';
import { createOutboundMessage } from './sendMessage';
import { mergeMessages, removeMessage, updateMessage, type ThreadData } from './threadCache';
import {
  communicationKeys,
  needsResponseTaskQuery,
  practiceNumberQuery,
  taskKeys,
  threadHeaderQuery,
} from './threadQueries';

export interface SendVariables {
  text: string;
  clientMessageId: string;
}

/** The optimistic copy shown while the create is in flight. */
export function localMessage(variables: SendVariables, sender: string | undefined): ThreadMessage {
  return {
    id: `local:${variables.clientMessageId}`,
    clientMessageId: variables.clientMessageId,
    direction: CODES.direction.outbound,
    text: variables.text,
    attachments: [],
    at: new Date().toISOString(),
    ...(sender ? { senderReference: sender } : {}),
    delivery: { kind: 'saving', label: 'Saving…', canRetry: false },
  };
}

/** Marks the thread's open needs-response Task answered; a failure leaves it for the front desk. */
async function completeNeedsResponse(session: FhirSession, task: Task | null): Promise<Task | null> {
  if (!task?.id) return task;
  // Versioned; if the relay or a colleague changed it meanwhile, it is read again and completed only if still open.
  return updateVersioned(session, { ...task, id: task.id }, (current) =>
    current.status === 'completed'
      ? undefined
      : {
          ...current,
          status: 'completed',
          businessStatus: CONCEPTS.taskBusinessStatus(CODES.taskBusinessStatus.answered),
          lastModified: new Date().toISOString(),
          executionPeriod: { ...current.executionPeriod, end: new Date().toISOString() },
        },
  );
}

/** Creates the message on the EHR, then nudges the relay. */
export function useSendMessage(patientId: string): UseMutationResult<Communication, Error, SendVariables> {
  const session = useSession();
  const client = useQueryClient();
  const threadKey = communicationKeys.thread(patientId);
  const sender = session.grant.fhirUser;
  const steps = useMemo(
    () => ({
      send: async ({ text, clientMessageId }: SendVariables): Promise<Communication> => {
        if (!sender)
          throw new Error('The EHR did not say who is signed in (no fhirUser), so the message has no sender.');
        const practiceNumber = await client.ensureQueryData(
          practiceNumberQuery(session, APP_CONFIG.practiceOrganizationId),
        );
        const header = await client.ensureQueryData(threadHeaderQuery(session, patientId, practiceNumber));
        return createOutboundMessage(session, { patientId, sender, headerId: header.id, text, clientMessageId });
      },
      answered: async (): Promise<void> => {
        const task = await client.fetchQuery(needsResponseTaskQuery(session, patientId));
        client.setQueryData(taskKeys.needsResponse(patientId), await completeNeedsResponse(session, task));
        // The practice inbox (when open) counts and lists this thread: show it answered.
        if (task) await client.invalidateQueries({ queryKey: inboxKeys.all });
      },
    }),
    [client, session, patientId, sender],
  );

  return useMutation({
    mutationKey: ['send', patientId],
    mutationFn: (variables: SendVariables) => steps.send(variables),
    // A dropped connection: the create is idempotent (If-None-Exist on the client id), so trying again is safe.
    retry: (count, error) => count < 2 && isFhirError(error, 'offline'),
    retryDelay: (attempt) => 500 * 2 ** attempt,
    onMutate: (variables) => {
      const local = localMessage(variables, sender);
      client.setQueryData<ThreadData>(threadKey, (data) =>
        data?.pages.some((p) => p.messages.some((m) => m.id === local.id))
          ? updateMessage(data, local.id, (m) => ({ ...m, delivery: local.delivery }))
          : mergeMessages(data, [local]),
      );
      return { localId: local.id };
    },
    onSuccess: (resource) => {
      client.setQueryData<ThreadData>(threadKey, (data) => mergeMessages(data, [toThreadMessage(resource, new Map())]));
      void nudgeRelay();
      steps.answered().catch(() => undefined);
    },
    onError: (error, _variables, context) => {
      if (!context) return;
      client.setQueryData<ThreadData>(threadKey, (data) =>
        isFhirError(error, 'offline')
          ? updateMessage(data, context.localId, (m) => ({
              ...m,
              delivery: {
                kind: 'unsaved',
                label: 'Not saved',
                reason: 'The EHR could not be reached. Nothing was sent.',
                canRetry: true,
              },
            }))
          : removeMessage(data, context.localId),
      );
    },
  });
}
