/**
 * The relay's view of Twilio's Messages API (https://www.twilio.com/docs/messaging/api/message-resource):
 * send, fetch, list, and media. `server/adapters/twilioGateway.ts` implements it with the twilio SDK.
 */
import type { TwilioStatus } from './mapTwilioStatus';

export interface SmsMessage {
  /** SM… or MM… */
  sid: string;
  status: TwilioStatus;
  direction: 'inbound' | 'outbound';
  from: string;
  to: string;
  body: string;
  numSegments?: number;
  numMedia: number;
  /** ISO date-times. */
  dateCreated?: string;
  dateSent?: string;
  errorCode?: number;
  errorMessage?: string;
  accountSid?: string;
  messagingServiceSid?: string;
}

export interface SendRequest {
  to: string;
  body: string;
  /** Where Twilio posts status changes; carries an opaque, non-PHI reference to the Communication. */
  statusCallback: string;
}

export interface MediaItem {
  url: string;
  contentType: string;
}

export interface ListFilter {
  to?: string;
  from?: string;
  /** Only messages sent at or after this time (Twilio's `DateSent>`); queued messages have no send date. */
  dateSentAfter?: Date;
  /** Only messages sent at or before this time (Twilio's `DateSent<`), to page back through a long log. */
  dateSentBefore?: Date;
  /** Stop after this many messages (Twilio lists newest first). */
  limit: number;
}

export interface SmsGateway {
  send(request: SendRequest): Promise<SmsMessage>;
  fetch(sid: string): Promise<SmsMessage>;
  list(filter: ListFilter): Promise<SmsMessage[]>;
  listMedia(messageSid: string): Promise<MediaItem[]>;
  fetchMedia(url: string): Promise<{ contentType: string; data: Uint8Array }>;
}

/** A Twilio API call that failed. */
export class SmsGatewayError extends Error {
  /** HTTP status; 0 when Twilio could not be reached. */
  readonly status: number;
  /** Twilio error code (https://www.twilio.com/docs/api/errors), when Twilio gave one. */
  readonly code: number | undefined;
  /** The request may have reached Twilio (timeout, 5xx): the message may exist although we got no SID. */
  readonly ambiguous: boolean;

  constructor(message: string, options: { status: number; code?: number; ambiguous: boolean; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = 'SmsGatewayError';
    this.status = options.status;
    this.code = options.code;
    this.ambiguous = options.ambiguous;
  }
}
