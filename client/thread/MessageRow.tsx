/**
 * One message: who, when (exact time on hover), the text and attachments on the sender's side, and for outbound
 * messages where delivery stands, with Retry when a new attempt could help.
 */
import { useQuery } from '@tanstack/react-query';
import { memo, type ReactNode } from 'react';
import { useSession } from '../app/sessionContext';
import { CODES } from '../../fhir-profiles/vocabulary';
import { APP_CONFIG } from '../config';
import { AttachmentView } from './AttachmentView';
import type { ThreadMessage } from './messageModel';
import { senderNameQuery } from './threadQueries';
import { exactTime, timeLabel } from './timeLabels';

export interface RowActions {
  /** Retry a failed message (saved: new attempt; unsaved: the same create again). */
  onRetry: (message: ThreadMessage) => void;
  /** Why Retry is not possible right now (the composer's block reason), if it is not. */
  retryBlocked?: string;
}

function DeliveryLine({
  message,
  now,
  actions,
}: {
  message: ThreadMessage;
  now: number;
  actions: RowActions;
}): ReactNode {
  const delivery = message.delivery;
  if (!delivery) return null;
  let kind: string = delivery.kind;
  let label = delivery.label;
  let reason = delivery.reason;
  const waited = message.updatedAt ? now - Date.parse(message.updatedAt) : 0;
  if (delivery.kind === 'pending' && waited > APP_CONFIG.relayPickupWarningMs) {
    kind = 'stalled';
    label = 'Not picked up yet';
    reason = 'The SMS relay has not taken this message yet. It will be sent when the relay is back.';
  }
  return (
    <div className={`msg__status status--${kind}`}>
      <span>
        {label}
        {reason ? ` — ${reason}` : ''}
      </span>
      {delivery.canRetry && (
        <button
          type="button"
          className="link-button"
          onClick={() => actions.onRetry(message)}
          disabled={actions.retryBlocked !== undefined}
          title={actions.retryBlocked}
        >
          Retry
        </button>
      )}
    </div>
  );
}

/**
 * A sender no loaded page included (a live message from someone new), read once and cached. Its own component, so
 * only such rows hold a query: the rows of a first page are named by the page's `_include`.
 */
function LookedUpSender({ reference, fallback }: { reference: string; fallback: string }): ReactNode {
  const session = useSession();
  const lookup = useQuery(senderNameQuery(session, reference));
  return lookup.data ?? fallback;
}

/**
 * A message in the thread. `you` is the signed-in user's reference, shown as "You". Memoised: the list re-renders
 * as the virtualizer measures and scrolls, the rows only when their message changes.
 */
export const MessageRow = memo(function MessageRow({
  message,
  you,
  now,
  actions,
}: {
  message: ThreadMessage;
  you: string | undefined;
  now: number;
  actions: RowActions;
}): ReactNode {
  const inbound = message.direction === CODES.direction.inbound;
  const mine = message.senderReference !== undefined && message.senderReference === you;
  const fallback = inbound ? 'Patient' : 'Care team';
  const who = mine ? (
    'You'
  ) : message.senderName ? (
    message.senderName
  ) : message.senderReference ? (
    <LookedUpSender reference={message.senderReference} fallback={fallback} />
  ) : (
    fallback
  );
  return (
    <div className={`msg msg--${message.direction}`}>
      <div className="msg__head">
        <span className="msg__who">{who}</span>{' '}
        <time dateTime={message.at} title={exactTime(message.at)}>
          {timeLabel(message.at)}
        </time>
      </div>
      <div className="bubble">
        {message.text && <p className="bubble__text">{message.text}</p>}
        {message.attachments.map((attachment, i) => (
          <AttachmentView key={attachment.url ?? i} attachment={attachment} />
        ))}
      </div>
      <DeliveryLine message={message} now={now} actions={actions} />
    </div>
  );
});
