/**
 * An inbound SMS as the relay handles it, from either source: Twilio's signed webhook
 * (https://www.twilio.com/docs/messaging/guides/webhook-request) or, in reconciliation, Twilio's message log.
 */
import type { MediaItem, SmsMessage } from './smsGateway';

export interface InboundSms {
  sid: string;
  accountSid?: string;
  /** As Twilio gives it (E.164 for phone numbers). */
  from: string;
  to: string;
  body: string;
  media: MediaItem[];
  numSegments?: number;
  /** ISO date-time Twilio received it, when known (the log has it; the webhook does not). */
  receivedAt?: string;
  /** Twilio Advanced Opt-Out's verdict on the message (`STOP`, `START`, `HELP`), which knows custom keywords. */
  optOutType?: string;
}

/** Twilio message SIDs: two letters and 32 hex digits. */
const MESSAGE_SID = /^(SM|MM)[0-9a-f]{32}$/;
const ACCOUNT_SID = /^AC[0-9a-f]{32}$/;
const MAX_MEDIA = 10;

const text = (form: Record<string, unknown>, name: string): string | undefined => {
  const value = form[name];
  return typeof value === 'string' ? value : undefined;
};

/** Reads the inbound webhook's form, or says which field is missing or malformed. */
export function parseInboundWebhook(
  form: Record<string, unknown>,
): { ok: true; sms: InboundSms } | { ok: false; error: string } {
  const sid = text(form, 'MessageSid') ?? text(form, 'SmsMessageSid') ?? text(form, 'SmsSid');
  if (!sid || !MESSAGE_SID.test(sid))
    return { ok: false, error: 'MessageSid must be a Twilio message SID (SM… or MM…)' };
  const from = text(form, 'From');
  const to = text(form, 'To');
  if (!from || !to) return { ok: false, error: 'From and To are required' };
  const accountSid = text(form, 'AccountSid');
  if (accountSid !== undefined && !ACCOUNT_SID.test(accountSid)) return { ok: false, error: 'AccountSid is malformed' };
  const numMedia = Number.parseInt(text(form, 'NumMedia') ?? '0', 10);
  if (!Number.isInteger(numMedia) || numMedia < 0 || numMedia > MAX_MEDIA) {
    return { ok: false, error: `NumMedia must be 0 to ${MAX_MEDIA}` };
  }
  const media: MediaItem[] = [];
  for (let i = 0; i < numMedia; i++) {
    const url = text(form, `MediaUrl${i}`);
    if (!url) return { ok: false, error: `MediaUrl${i} is missing` };
    media.push({ url, contentType: text(form, `MediaContentType${i}`) ?? 'application/octet-stream' });
  }
  const segments = Number.parseInt(text(form, 'NumSegments') ?? '', 10);
  return {
    ok: true,
    sms: {
      sid,
      ...(accountSid ? { accountSid } : {}),
      from,
      to,
      body: text(form, 'Body') ?? '',
      media,
      ...(Number.isInteger(segments) && segments > 0 ? { numSegments: segments } : {}),
      ...(text(form, 'OptOutType') ? { optOutType: text(form, 'OptOutType') } : {}),
    },
  };
}

/** The same message as Twilio's log lists it. */
export function inboundFromLog(message: SmsMessage, media: MediaItem[]): InboundSms {
  return {
    sid: message.sid,
    ...(message.accountSid ? { accountSid: message.accountSid } : {}),
    from: message.from,
    to: message.to,
    body: message.body,
    media,
    ...(message.numSegments ? { numSegments: message.numSegments } : {}),
    ...(message.dateSent || message.dateCreated ? { receivedAt: message.dateSent ?? message.dateCreated } : {}),
  };
}
