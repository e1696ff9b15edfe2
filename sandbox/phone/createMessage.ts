/**
 * `POST /2010-04-01/Accounts/{AccountSid}/Messages.json`: Twilio's checks, in Twilio's order, then a queued message
 * in the log. https://www.twilio.com/docs/messaging/api/message-resource#create-a-message-resource
 * Stricter than Twilio in one way on purpose: `To` must already be E.164 (Twilio sometimes guesses a country), so a
 * relay that forgets to normalise a chart's number finds out in the sandbox.
 */
import { SegmentedMessage } from 'sms-segments-calculator';
import type { MessageLog } from './messageLog';
import type { DeliveryOutcome, MediaRecord, MessageRecord } from './messageRecord';
import { countryOf, isValidE164 } from './phoneNumbers';
import type { CreateFailureRule, DeliveryFailureRule } from './rosterPhones';
import { errorMessageFor, TwilioApiError } from './twilioErrors';
import { newSid } from './twilioResource';

/** What the simulated account owns and allows. */
export interface SendingAccount {
  accountSid: string;
  /** SMS-capable numbers the account owns (the practice numbers). */
  smsNumbers: ReadonlySet<string>;
  /** Numbers the account owns that cannot send SMS (e.g. the practice's voice line). */
  voiceOnlyNumbers: ReadonlySet<string>;
  /** Messaging Service SID → its sender numbers. */
  messagingServices: ReadonlyMap<string, readonly string[]>;
  /** Countries the account's geographic permissions allow (Twilio's default: US and Canada). */
  allowedCountries: ReadonlySet<string>;
  createFailures: readonly CreateFailureRule[];
  deliveryFailures: readonly DeliveryFailureRule[];
}

export type FormValue = string | string[] | undefined;

const MAX_BODY_CHARACTERS = 1600;
const MAX_MEDIA = 10;

const first = (value: FormValue): string | undefined => (Array.isArray(value) ? value[0] : value);
const all = (value: FormValue): string[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** Segments Twilio bills for a body (GSM-7 or UCS-2); an MMS counts as one. */
export function segmentsOf(body: string, mediaCount: number): number {
  if (mediaCount > 0) return 1;
  if (body.length === 0) return 1;
  return new SegmentedMessage(body).segmentsCount;
}

/** Content type for a media URL, from its extension (Twilio reads the fetched response's header instead). */
export function contentTypeFromUrl(url: string): string {
  const extension = /\.([a-z0-9]+)(?:$|[?#])/i.exec(new URL(url).pathname)?.[1]?.toLowerCase();
  const types: Record<string, string> = {
    png: 'image/png',
    jpg: 'image/jpeg',
    jpeg: 'image/jpeg',
    gif: 'image/gif',
    svg: 'image/svg+xml',
    pdf: 'application/pdf',
  };
  return (extension === undefined ? undefined : types[extension]) ?? 'application/octet-stream';
}

const isHttpUrl = (value: string): boolean => {
  try {
    const url = new URL(value);
    // Twilio: "URL must contain a valid hostname and underscores are not allowed."
    return (
      (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '' && !url.hostname.includes('_')
    );
  } catch {
    return false;
  }
};

/** How a message to `to` will end, by the account's delivery rules. */
export function outcomeFor(to: string, rules: readonly DeliveryFailureRule[]): DeliveryOutcome {
  const rule = rules.find((candidate) => candidate.to === to);
  if (rule === undefined) return { status: 'delivered' };
  return { status: rule.status, errorCode: rule.errorCode, errorMessage: errorMessageFor(rule.errorCode) };
}

/** Validates a create request like Twilio and logs the new message; throws TwilioApiError on a rejected request. */
export function createOutboundMessage(
  form: Record<string, FormValue>,
  account: SendingAccount,
  log: MessageLog,
): MessageRecord {
  const to = first(form.To)?.trim();
  const from = first(form.From)?.trim();
  const serviceSid = first(form.MessagingServiceSid)?.trim();
  const body = first(form.Body) ?? '';
  const mediaUrls = all(form.MediaUrl).filter((url) => url.trim() !== '');
  const statusCallback = first(form.StatusCallback)?.trim();

  if (to === undefined || to === '') throw new TwilioApiError(21604);
  if ((from === undefined || from === '') && (serviceSid === undefined || serviceSid === '')) {
    throw new TwilioApiError(21603);
  }
  if (body === '' && mediaUrls.length === 0) throw new TwilioApiError(21602);
  if (!isValidE164(to)) throw new TwilioApiError(21211, 400, "The 'To' number is not a valid phone number.");

  let sender: string | null = null;
  let service: string | null = null;
  if (from !== undefined && from !== '') {
    if (!isValidE164(from)) throw new TwilioApiError(21212, 400, "The 'From' number is not a valid phone number.");
    if (account.voiceOnlyNumbers.has(from)) throw new TwilioApiError(21606);
    if (!account.smsNumbers.has(from)) throw new TwilioApiError(21659);
    sender = from;
  }
  if (serviceSid !== undefined && serviceSid !== '') {
    if (!account.messagingServices.has(serviceSid)) throw new TwilioApiError(21701);
    service = serviceSid;
  }

  if ([...body].length > MAX_BODY_CHARACTERS) throw new TwilioApiError(21617);
  if (mediaUrls.length > MAX_MEDIA) throw new TwilioApiError(21623);
  if (!mediaUrls.every(isHttpUrl)) throw new TwilioApiError(21620, 400, 'Invalid media URL(s)');
  if (statusCallback !== undefined && statusCallback !== '' && !isHttpUrl(statusCallback)) {
    throw new TwilioApiError(21609);
  }
  if (to === sender) throw new TwilioApiError(21266);
  const country = countryOf(to);
  if (country === undefined || !account.allowedCountries.has(country)) throw new TwilioApiError(21408);

  const rule = account.createFailures.find((candidate) => candidate.to === to);
  if (rule !== undefined) throw new TwilioApiError(rule.errorCode);

  // Opt-out is per sender and recipient; a Messaging Service message is checked against the sender it will use.
  const effectiveSender = sender ?? (service === null ? undefined : account.messagingServices.get(service)?.[0]);
  if (effectiveSender !== undefined && log.optOutState(to, effectiveSender) === true) throw new TwilioApiError(21610);

  const now = new Date().toISOString();
  const media: MediaRecord[] = mediaUrls.map((url) => ({
    sid: newSid('ME'),
    contentType: contentTypeFromUrl(url),
    dateCreated: now,
    source: { kind: 'url', url },
  }));
  const message: MessageRecord = {
    seq: log.nextSeq(),
    sid: newSid(media.length > 0 ? 'MM' : 'SM'),
    accountSid: account.accountSid,
    direction: 'outbound-api',
    // With a Messaging Service and no From, Twilio answers `accepted` and picks the sender afterwards.
    from: sender,
    to,
    body,
    status: sender === null ? 'accepted' : 'queued',
    errorCode: null,
    errorMessage: null,
    messagingServiceSid: service,
    numSegments: segmentsOf(body, media.length),
    media,
    statusCallback: statusCallback === undefined || statusCallback === '' ? null : statusCallback,
    dateCreated: now,
    dateUpdated: now,
    dateSent: null,
    outcome: outcomeFor(to, account.deliveryFailures),
  };
  log.put(message);
  return message;
}
