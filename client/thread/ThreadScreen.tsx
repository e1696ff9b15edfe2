/**
 * A patient's SMS thread with its composer: the view the chart opens, and the one the practice inbox reuses when
 * a thread is opened (front-desk issue). Loading, empty, error and offline states are part of it.
 */
import { useQuery } from '@tanstack/react-query';
import { useCallback, useId, useMemo, type ReactNode } from 'react';
import { useSession } from '../app/sessionContext';
import { Problem } from '../app/StatusScreens';
import { useAfterPaint } from '../app/useAfterPaint';
import { useOnline } from '../app/useOnline';
import { Composer } from '../composer/Composer';
import { useComposerAvailability } from '../composer/useComposerAvailability';
import { formatName, type ThreadMessage } from './messageModel';
import type { RowActions } from './MessageRow';
import { patientQuery } from './threadQueries';
import { ThreadView } from './ThreadView';
import { useLiveThread } from './useLiveThread';
import { unreadTail, useMarkRead } from './useMarkRead';
import { useRetryMessage } from './useRetryMessage';
import { useSendMessage } from './useSendMessage';
import { useThread } from './useThread';

function LoadingThread(): ReactNode {
  return (
    <div className="thread thread--loading" role="status" aria-busy="true">
      <span className="visually-hidden">Loading conversation…</span>
      <div className="skeleton skeleton--in" />
      <div className="skeleton skeleton--out" />
      <div className="skeleton skeleton--in" />
    </div>
  );
}

function EmptyThread(): ReactNode {
  return (
    <div className="thread thread--empty">
      <p className="empty">
        <strong>No texts with this patient yet.</strong>
        <br />
        Messages you send appear here, and replies show up automatically.
      </p>
    </div>
  );
}

/** The thread of one patient (`patientId`); `title` overrides "Text messages with <patient>" (screen readers). */
export function ThreadScreen({ patientId, title: givenTitle }: { patientId: string; title?: string }): ReactNode {
  const session = useSession();
  const headingId = useId();
  const online = useOnline();
  const thread = useThread(patientId);
  const { query } = thread;
  // Read once the first page is on screen (the thread goes first); names the patient's own new messages and the title.
  const firstPageIn = !query.isPending;
  const firstPagePainted = useAfterPaint(firstPageIn);
  const patient = useQuery({ ...patientQuery(session, patientId), enabled: firstPagePainted });
  const patientName = patient.data ? formatName(patient.data.name) : undefined;
  const messages = useMemo(
    () =>
      patientName
        ? thread.messages.map((m) =>
            !m.senderName && m.senderReference === `Patient/${patientId}` ? { ...m, senderName: patientName } : m,
          )
        : thread.messages,
    [thread.messages, patientName, patientId],
  );
  const title = givenTitle ?? (patientName ? `Text messages with ${patientName}` : 'Text messages with the patient');
  const live = useLiveThread(patientId, query.isSuccess);
  const availability = useComposerAvailability(patientId, firstPagePainted);
  const send = useSendMessage(patientId);
  const retry = useRetryMessage(patientId);

  const markSeen = useMarkRead(patientId);
  const unread = useMemo(() => new Set(unreadTail(messages).map((m) => m.id)), [messages]);
  const onSeen = useCallback(
    (onScreen: readonly ThreadMessage[]) => markSeen(onScreen.filter((m) => unread.has(m.id))),
    [markSeen, unread],
  );

  const { fetchNextPage, hasNextPage, isFetchingNextPage } = query;
  const onLoadOlder = useCallback(() => void fetchNextPage(), [fetchNextPage]);

  const blockedReason =
    availability.status === 'ready' && !availability.availability.canSend
      ? availability.availability.message
      : !online
        ? 'You are offline.'
        : undefined;
  const retryMessage = retry.mutate;
  const sendMessage = send.mutate;
  // Stable, so rows (memoised) re-render only when their own message changes.
  const actions = useMemo<RowActions>(() => {
    const onRetry = (message: ThreadMessage): void => {
      if (message.resource) retryMessage(message);
      else if (message.clientMessageId) sendMessage({ text: message.text, clientMessageId: message.clientMessageId });
    };
    return { onRetry, ...(blockedReason ? { retryBlocked: blockedReason } : {}) };
  }, [retryMessage, sendMessage, blockedReason]);

  let body: ReactNode;
  if (query.isPending) {
    body =
      query.fetchStatus === 'paused' ? (
        <div className="thread thread--problem">
          <Problem error={new Error('You’re offline.')} what="load this conversation while offline" />
        </div>
      ) : (
        <LoadingThread />
      );
  } else if (query.isError && !query.data) {
    // Only a failed first page replaces the thread; a failed older page is a notice above it (below).
    body = (
      <div className="thread thread--problem">
        <Problem error={query.error} what="load this conversation" onRetry={() => void query.refetch()} />
      </div>
    );
  } else if (messages.length === 0) {
    body = <EmptyThread />;
  } else {
    body = (
      <ThreadView
        messages={messages}
        label="Messages"
        hasOlder={hasNextPage}
        loadingOlder={isFetchingNextPage}
        onLoadOlder={onLoadOlder}
        you={session.grant.fhirUser}
        actions={actions}
        onSeen={onSeen}
      />
    );
  }

  return (
    <section className="thread-screen" aria-labelledby={headingId}>
      <h1 className="visually-hidden" id={headingId}>
        {title}
      </h1>
      {live.isError && online && (
        <div className="notice notice--warning" role="status">
          Live updates paused: {live.error.message} Retrying…
        </div>
      )}
      {query.isFetchNextPageError && (
        <div className="notice notice--error" role="alert">
          Could not load earlier messages: {query.error?.message}{' '}
          <button type="button" className="link-button" onClick={onLoadOlder}>
            Try again
          </button>
        </div>
      )}
      {retry.isError && (
        <div className="notice notice--error" role="alert">
          Retry failed: {retry.error.message}
        </div>
      )}
      {body}
      <Composer availability={availability} online={online} send={send} templatesFor={patientId} />
    </section>
  );
}
