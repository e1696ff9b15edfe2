/**
 * The simulated carrier: moves an outbound message through Twilio's statuses (queued → sent → delivered, or
 * → undelivered / failed with an error code) and posts a signed status callback at each step to the message's
 * `StatusCallback` (https://www.twilio.com/docs/messaging/guides/track-outbound-message-status).
 * Status changes are written to the log whether or not the callback gets through, as at Twilio: the log is what
 * reconciliation reads when callbacks were lost. After a restart, unfinished messages carry on from where they were.
 */
import type { MessageLog } from './messageLog';
import { FINAL_STATUSES, type MessageRecord, type MessageStatus } from './messageRecord';
import type { WebhookDispatcher } from './sendWebhook';
import { API_VERSION } from './twilioResource';

/** When each step happens, counted from the message's creation. */
export interface DeliveryTiming {
  sentAfterMs: number;
  finalAfterMs: number;
}

export interface DeliveryScheduler {
  /** Starts a new message: its first callback now, the next steps on time. */
  start(message: MessageRecord): void;
  /** Carries on a message found unfinished in the log after a restart. */
  resume(message: MessageRecord): void;
  /** Steps not yet taken. */
  pendingCount(): number;
  close(): void;
}

/** The form fields of a status callback for `message` in its current status. */
export function statusCallbackParams(message: MessageRecord): Record<string, string> {
  const params: Record<string, string> = {
    AccountSid: message.accountSid,
    ApiVersion: API_VERSION,
    From: message.from ?? '',
    MessageSid: message.sid,
    MessageStatus: message.status,
    SmsSid: message.sid,
    SmsStatus: message.status,
    To: message.to,
  };
  if (message.messagingServiceSid !== null) params.MessagingServiceSid = message.messagingServiceSid;
  if (message.errorCode !== null) params.ErrorCode = String(message.errorCode);
  if (message.status === 'delivered' || message.status === 'undelivered') {
    params.RawDlrDoneDate = rawDlrDoneDate(new Date(message.dateUpdated));
  }
  return params;
}

/** The carrier's done date as Twilio passes it through: `YYMMDDhhmm`. */
function rawDlrDoneDate(date: Date): string {
  const two = (value: number): string => String(value).padStart(2, '0');
  return (
    two(date.getUTCFullYear() % 100) +
    two(date.getUTCMonth() + 1) +
    two(date.getUTCDate()) +
    two(date.getUTCHours()) +
    two(date.getUTCMinutes())
  );
}

/** The step after `status` toward the message's outcome, or undefined when it is final. */
function nextStatus(message: MessageRecord): MessageStatus | undefined {
  const outcome = message.outcome ?? { status: 'delivered' };
  switch (message.status) {
    case 'accepted':
      return 'queued';
    case 'queued':
    case 'sending':
      return outcome.status === 'failed' ? 'failed' : 'sent';
    case 'sent':
      return outcome.status === 'failed' ? 'failed' : outcome.status;
    case 'delivered':
    case 'undelivered':
    case 'failed':
    case 'received':
      return undefined;
  }
}

/** A scheduler that writes to `log` and posts callbacks through `dispatcher`. */
export function createDeliveryScheduler(options: {
  log: MessageLog;
  dispatcher: WebhookDispatcher;
  timing: DeliveryTiming;
  /** Picks the sender when a Messaging Service message leaves `accepted`. */
  senderFor: (message: MessageRecord) => string;
}): DeliveryScheduler {
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;

  const notify = (message: MessageRecord): void => {
    if (message.statusCallback === null) return;
    void options.dispatcher.send({
      kind: 'status',
      url: message.statusCallback,
      params: statusCallbackParams(message),
      orderKey: message.sid,
    });
  };

  const dueAt = (message: MessageRecord, next: MessageStatus): number => {
    const created = Date.parse(message.dateCreated);
    if (next === 'queued') return created;
    if (next === 'sent') return created + options.timing.sentAfterMs;
    return created + Math.max(options.timing.finalAfterMs, options.timing.sentAfterMs);
  };

  const step = (sid: string): void => {
    const current = options.log.get(sid);
    if (closed || current === undefined || FINAL_STATUSES.has(current.status)) return;
    const next = nextStatus(current);
    if (next === undefined) return;
    const now = new Date().toISOString();
    const outcome = current.outcome;
    const failing =
      outcome !== undefined && outcome.status !== 'delivered' && (next === 'failed' || next === 'undelivered');
    const updated: MessageRecord = {
      ...current,
      status: next,
      dateUpdated: now,
      from: current.from ?? options.senderFor(current),
      dateSent: next === 'sent' ? now : current.dateSent,
      errorCode: failing ? outcome.errorCode : current.errorCode,
      errorMessage: failing ? outcome.errorMessage : current.errorMessage,
    };
    options.log.put(updated);
    notify(updated);
    schedule(updated);
  };

  const schedule = (message: MessageRecord): void => {
    const next = nextStatus(message);
    if (closed || next === undefined) return;
    const delay = Math.max(0, dueAt(message, next) - Date.now());
    const timer = setTimeout(() => {
      timers.delete(timer);
      step(message.sid);
    }, delay);
    timers.add(timer);
  };

  return {
    start(message) {
      if (message.status === 'queued') notify(message);
      schedule(message);
    },
    resume: schedule,
    pendingCount: () => timers.size,
    close() {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}
