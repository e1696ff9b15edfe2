/**
 * What the phone simulator keeps about each message: Twilio's Message resource, plus what it needs to finish
 * delivering it. Times are ISO 8601 strings here and RFC 2822 only on the wire.
 */

/** Statuses the simulator uses (a subset of Twilio's `message_enum_status`). */
export type MessageStatus =
  'accepted' | 'queued' | 'sending' | 'sent' | 'delivered' | 'undelivered' | 'failed' | 'received';

/** `inbound` from a phone; `outbound-api` created over REST; `outbound-reply` from TwiML or a keyword auto-reply. */
export type MessageDirection = 'inbound' | 'outbound-api' | 'outbound-reply';

/** Where a media item's bytes come from: a bundled sample picture or the URL the sender gave. */
export type MediaSource = { kind: 'sample'; name: string } | { kind: 'url'; url: string };

export interface MediaRecord {
  sid: string;
  contentType: string;
  dateCreated: string;
  source: MediaSource;
}

/** How an outbound message ends: delivered, or a failure with Twilio's error code. */
export type DeliveryOutcome =
  { status: 'delivered' } | { status: 'undelivered' | 'failed'; errorCode: number; errorMessage: string };

export interface MessageRecord {
  /** Creation order; lists are newest first by this. */
  seq: number;
  sid: string;
  accountSid: string;
  direction: MessageDirection;
  from: string | null;
  to: string;
  body: string;
  status: MessageStatus;
  errorCode: number | null;
  errorMessage: string | null;
  messagingServiceSid: string | null;
  numSegments: number;
  media: MediaRecord[];
  statusCallback: string | null;
  dateCreated: string;
  dateUpdated: string;
  dateSent: string | null;
  /** Outbound only: the final state the simulated carrier will report. */
  outcome?: DeliveryOutcome;
}

/** Statuses after which nothing changes. */
export const FINAL_STATUSES: ReadonlySet<MessageStatus> = new Set(['delivered', 'undelivered', 'failed', 'received']);
