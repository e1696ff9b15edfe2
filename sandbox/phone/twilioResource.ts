/**
 * The Message and Media resources as Twilio's REST API returns them (`api.v2010.account.message`,
 * `api.v2010.account.message.media` in ../shared/reference/twilio/twilio_api_v2010.json): SIDs, RFC 2822 dates,
 * counts as strings, URIs relative to https://api.twilio.com.
 */
import { randomBytes } from 'node:crypto';
import type { MediaRecord, MessageRecord } from './messageRecord';

export const API_VERSION = '2010-04-01';

/** A new Twilio SID: two-letter prefix and 32 lowercase hex digits (e.g. SM…, MM…, ME…). */
export function newSid(prefix: 'SM' | 'MM' | 'ME' | 'PA'): string {
  return prefix + randomBytes(16).toString('hex');
}

/** An instant as Twilio writes it: RFC 2822 in GMT, e.g. `Thu, 24 Aug 2023 05:01:45 +0000`. */
export function toRfc2822(iso: string): string {
  return new Date(iso).toUTCString().replace(/GMT$/, '+0000');
}

const nullableRfc2822 = (iso: string | null): string | null => (iso === null ? null : toRfc2822(iso));

/** Path of an account's Messages list, relative to the API root. */
export function messagesPath(accountSid: string): string {
  return `/${API_VERSION}/Accounts/${accountSid}/Messages`;
}

/** Twilio's JSON for a Message resource. */
export interface MessageResource {
  account_sid: string;
  api_version: string;
  body: string;
  date_created: string;
  date_sent: string | null;
  date_updated: string;
  direction: string;
  error_code: number | null;
  error_message: string | null;
  from: string | null;
  messaging_service_sid: string | null;
  num_media: string;
  num_segments: string;
  price: string | null;
  price_unit: string;
  sid: string;
  status: string;
  subresource_uris: { media: string; feedback?: string };
  to: string;
  uri: string;
}

/** Renders a message record as Twilio's Message resource. */
export function toMessageResource(message: MessageRecord): MessageResource {
  const base = `${messagesPath(message.accountSid)}/${message.sid}`;
  return {
    account_sid: message.accountSid,
    api_version: API_VERSION,
    body: message.body,
    date_created: toRfc2822(message.dateCreated),
    date_sent: nullableRfc2822(message.dateSent),
    date_updated: toRfc2822(message.dateUpdated),
    direction: message.direction,
    error_code: message.errorCode,
    error_message: message.errorMessage,
    from: message.from,
    messaging_service_sid: message.messagingServiceSid,
    num_media: String(message.media.length),
    // Twilio reports 0 segments while a Messaging Service has not yet picked a sender.
    num_segments: String(message.status === 'accepted' ? 0 : message.numSegments),
    // The sandbox bills nothing; Twilio also leaves price null until the carrier reports it.
    price: null,
    price_unit: 'USD',
    sid: message.sid,
    status: message.status,
    subresource_uris:
      message.direction === 'inbound'
        ? { media: `${base}/Media.json` }
        : { media: `${base}/Media.json`, feedback: `${base}/Feedback.json` },
    to: message.to,
    uri: `${base}.json`,
  };
}

/** Twilio's JSON for a Media resource. */
export interface MediaResource {
  account_sid: string;
  content_type: string;
  date_created: string;
  date_updated: string;
  parent_sid: string;
  sid: string;
  uri: string;
}

/** Path of a media item's content (no `.json`): what `MediaUrl{N}` points at. */
export function mediaContentPath(message: MessageRecord, media: MediaRecord): string {
  return `${messagesPath(message.accountSid)}/${message.sid}/Media/${media.sid}`;
}

/** Renders a media record as Twilio's Media resource. */
export function toMediaResource(message: MessageRecord, media: MediaRecord): MediaResource {
  return {
    account_sid: message.accountSid,
    content_type: media.contentType,
    date_created: toRfc2822(media.dateCreated),
    date_updated: toRfc2822(media.dateCreated),
    parent_sid: message.sid,
    sid: media.sid,
    uri: `${mediaContentPath(message, media)}.json`,
  };
}
