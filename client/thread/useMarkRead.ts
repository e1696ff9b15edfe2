/**
 * Inbound messages the user has had on screen are marked read: the `read-at` extension ("when a staff member first
 * opened the message", ChartText profile) is written once on each, by a versioned update. Only the unanswered tail is
 * marked (inbound messages after the practice's latest reply), so scrolling through history writes nothing.
 * Reading is not answering: the needs-response Task stays open until a reply is sent (useSendMessage).
 * docs/decisions/046-read-state.md
 */
import type { Communication } from '@medplum/fhirtypes';
import { useMutation, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useRef } from 'react';
import { CODES, EXTENSIONS } from '../../fhir-profiles/vocabulary';
import { useSession } from '../app/sessionContext';
import { isFhirError } from '../fhir/fhirErrors';
import type { FhirSession } from '../fhir/smartClient';
import { toThreadMessage, type ThreadMessage } from './messageModel';
import { mergeMessages, type ThreadData } from './threadCache';
import { communicationKeys } from './threadQueries';

/** Waits this long after messages came on screen before writing, so a burst of scrolling writes once. */
const SETTLE_MS = 800;

/** When staff first opened the message, if they have. */
export function readAtOf(resource: Communication | undefined): string | undefined {
  return resource?.extension?.find((e) => e.url === EXTENSIONS.readAt)?.valueDateTime;
}

/** The message with `read-at` set (kept if already there: it records the first opening). */
export function withReadAt(resource: Communication & { id: string }, at: string): Communication & { id: string } {
  if (readAtOf(resource)) return resource;
  return { ...resource, extension: [...(resource.extension ?? []), { url: EXTENSIONS.readAt, valueDateTime: at }] };
}

/** Inbound messages that still need a read mark: unread, saved, and after the latest outbound message. */
export function unreadTail(messages: readonly ThreadMessage[]): ThreadMessage[] {
  let lastReply = '';
  for (const m of messages)
    if (m.direction === CODES.direction.outbound && m.resource && m.at > lastReply) lastReply = m.at;
  return messages.filter(
    (m) => m.direction === CODES.direction.inbound && m.resource?.id && !readAtOf(m.resource) && m.at > lastReply,
  );
}

async function markOne(session: FhirSession, message: ThreadMessage, at: string): Promise<Communication> {
  const current = message.resource as Communication & { id: string };
  const put = async (resource: Communication & { id: string }): Promise<Communication> =>
    (
      await session.update(
        withReadAt(resource, at),
        resource.meta?.versionId ? { ifMatch: resource.meta.versionId } : {},
      )
    ).resource;
  try {
    return await put(current);
  } catch (error) {
    if (!isFhirError(error, 'conflict')) throw error;
    // The relay touched it meanwhile: keep its change and add the mark.
    const fresh = await session.read<Communication>('Communication', current.id);
    return readAtOf(fresh) ? fresh : put({ ...fresh, id: current.id });
  }
}

/**
 * Returns `markSeen(messages)`: call it with the messages on screen while the page is visible; the unread inbound
 * ones among them are marked after a short pause.
 */
export function useMarkRead(patientId: string): (onScreen: readonly ThreadMessage[]) => void {
  const session: FhirSession = useSession();
  const client: QueryClient = useQueryClient();
  const handled = useRef(new Set<string>());
  const queued = useRef(new Map<string, ThreadMessage>());
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const { mutate } = useMutation({
    mutationKey: ['mark-read', patientId],
    mutationFn: async (messages: ThreadMessage[]) => {
      const at = new Date().toISOString();
      const saved: Communication[] = [];
      for (const message of messages) saved.push(await markOne(session, message, at));
      return saved;
    },
    onSuccess: (saved, messages) => {
      const names = new Map(
        messages.flatMap((m) => (m.senderReference && m.senderName ? [[m.senderReference, m.senderName]] : [])),
      );
      client.setQueryData<ThreadData>(communicationKeys.thread(patientId), (data) =>
        mergeMessages(
          data,
          saved.map((resource) => toThreadMessage(resource, names)),
        ),
      );
    },
  });

  useEffect(() => () => clearTimeout(timer.current), []);

  return useCallback(
    (onScreen: readonly ThreadMessage[]) => {
      for (const message of onScreen) {
        if (!handled.current.has(message.id)) {
          // A message is tried once per screen; a refusal (e.g. no update permission) is not retried in a loop.
          handled.current.add(message.id);
          queued.current.set(message.id, message);
        }
      }
      if (queued.current.size === 0) return;
      clearTimeout(timer.current);
      timer.current = setTimeout(() => {
        const batch = [...queued.current.values()];
        queued.current.clear();
        mutate(batch);
      }, SETTLE_MS);
    },
    [mutate],
  );
}
