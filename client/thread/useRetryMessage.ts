/**
 * Retry of a failed outbound message (docs/decisions/044-delivery-and-retry.md): a versioned update of the same
 * Communication back to `preparation`, shown as pending at once and put back as it was if the EHR refuses.
 */
import type { Communication } from '@medplum/fhirtypes';
import { useMutation, useQueryClient, type UseMutationResult } from '@tanstack/react-query';
import { useMemo } from 'react';
import { useSession } from '../app/sessionContext';
import { isFhirError } from '../fhir/fhirErrors';
import { toThreadMessage, type ThreadMessage } from './messageModel';
import { nudgeRelay } from './nudgeRelay';
import { retryVersion } from './retryMessage';
import { mergeMessages, updateMessage, type ThreadData } from './threadCache';
import { communicationKeys } from './threadQueries';

/** Retries a saved, failed message. */
export function useRetryMessage(patientId: string): UseMutationResult<Communication, Error, ThreadMessage> {
  const session = useSession();
  const client = useQueryClient();
  const threadKey = communicationKeys.thread(patientId);
  const steps = useMemo(
    () => ({
      retry: async (message: ThreadMessage): Promise<Communication> => {
        const current = message.resource;
        if (!current?.id) throw new Error('This message was never saved; send it again instead.');
        const put = async (resource: Communication & { id: string }): Promise<Communication> =>
          (
            await session.update(
              { ...retryVersion(resource), id: resource.id },
              resource.meta?.versionId ? { ifMatch: resource.meta.versionId } : {},
            )
          ).resource;
        try {
          return await put({ ...current, id: current.id });
        } catch (error) {
          if (!isFhirError(error, 'conflict')) throw error;
          // The relay (or another tab) wrote first: retry only if it is still a final failure.
          const fresh = await session.read<Communication>('Communication', current.id);
          const still = toThreadMessage(fresh, new Map()).delivery;
          if (still?.canRetry) return put({ ...fresh, id: current.id });
          return fresh;
        }
      },
    }),
    [session],
  );
  return useMutation({
    mutationKey: ['retry', patientId],
    mutationFn: (message: ThreadMessage) => steps.retry(message),
    onMutate: (message) => {
      client.setQueryData<ThreadData>(threadKey, (data) =>
        updateMessage(data, message.id, (m) => ({
          ...m,
          delivery: { kind: 'pending', label: 'Waiting to send', canRetry: false },
        })),
      );
      return { previous: message };
    },
    onSuccess: (resource, message) => {
      client.setQueryData<ThreadData>(threadKey, (data) =>
        mergeMessages(data, [
          {
            ...toThreadMessage(resource, new Map()),
            ...(message.senderName ? { senderName: message.senderName } : {}),
          },
        ]),
      );
      void nudgeRelay();
    },
    onError: (_error, _message, context) => {
      if (context)
        client.setQueryData<ThreadData>(threadKey, (data) =>
          updateMessage(data, context.previous.id, () => context.previous),
        );
    },
  });
}
