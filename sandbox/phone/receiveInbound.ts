/**
 * A text from a simulated phone to a practice number, handled as Twilio handles it: logged as an `inbound`
 * `received` message, opt-out keywords applied (and Twilio's default reply sent unless turned off), then posted,
 * signed, to the number's messaging webhook (https://www.twilio.com/docs/messaging/guides/webhook-request).
 * TwiML `<Message>` replies in the webhook's answer are sent back to the phone.
 * A failed webhook is not retried by default (Twilio does not retry messaging webhooks) but the message stays in the
 * log, where the relay's reconciliation finds it.
 */
import { outcomeFor, segmentsOf, type SendingAccount } from './createMessage';
import type { DeliveryScheduler } from './deliverMessage';
import type { MessageLog } from './messageLog';
import type { MediaRecord, MessageRecord } from './messageRecord';
import { DEFAULT_KEYWORD_REPLIES, keywordOf } from './optOutKeywords';
import { countryOf, normalizeToE164 } from './phoneNumbers';
import type { SampleImage } from './sampleImages';
import type { WebhookDispatcher, WebhookOutcome } from './sendWebhook';
import { errorMessageFor } from './twilioErrors';
import { API_VERSION, mediaContentPath, newSid } from './twilioResource';

export interface InboundContext {
  account: SendingAccount;
  log: MessageLog;
  dispatcher: WebhookDispatcher;
  scheduler: DeliveryScheduler;
  samples: ReadonlyMap<string, SampleImage>;
  inboundWebhookUrl: string | undefined;
  /** Twilio's "primary handler fails" URL for the number, tried once when the webhook fails. */
  inboundFallbackUrl: string | undefined;
  /** Absolute base of the simulated REST API (`<sandbox origin>/twilio`), for `MediaUrl{N}`. */
  apiBaseUrl: string;
  keywordAutoReply: boolean;
  /** Twilio Advanced Opt-Out: adds `OptOutType` to the webhook. */
  advancedOptOut: boolean;
}

export interface InboundInput {
  /** The phone's number, in any written form. */
  from: string;
  /** The practice number texted; the first practice number when omitted. */
  to?: string;
  body: string;
  /** Names of bundled sample pictures to attach. */
  media?: string[];
}

export interface InboundResult {
  message: MessageRecord;
  /** The webhook's outcome; undefined when no webhook URL is configured. */
  webhook: WebhookOutcome | undefined;
  /** Messages sent back: the keyword auto-reply and TwiML replies. */
  replies: MessageRecord[];
}

/** The form fields Twilio posts to a messaging webhook for `message`. */
export function inboundWebhookParams(
  message: MessageRecord,
  apiBaseUrl: string,
  optOutType?: string,
): Record<string, string> {
  const params: Record<string, string> = {
    ToCountry: countryOf(message.to) ?? '',
    ToState: '',
    ToCity: '',
    ToZip: '',
    FromCountry: countryOf(message.from ?? '') ?? '',
    FromState: '',
    FromCity: '',
    FromZip: '',
    SmsMessageSid: message.sid,
    SmsSid: message.sid,
    MessageSid: message.sid,
    SmsStatus: 'received',
    AccountSid: message.accountSid,
    From: message.from ?? '',
    To: message.to,
    Body: message.body,
    NumMedia: String(message.media.length),
    NumSegments: String(message.numSegments),
    ApiVersion: API_VERSION,
  };
  if (message.messagingServiceSid !== null) params.MessagingServiceSid = message.messagingServiceSid;
  message.media.forEach((media, index) => {
    params[`MediaUrl${index}`] = apiBaseUrl + mediaContentPath(message, media);
    params[`MediaContentType${index}`] = media.contentType;
  });
  if (optOutType !== undefined) params.OptOutType = optOutType;
  return params;
}

/** The texts of `<Message>` verbs in a TwiML answer (plain text or `<Body>`), entities decoded. */
export function twimlMessages(twiml: string): string[] {
  const texts: string[] = [];
  for (const match of twiml.matchAll(/<Message\b[^>]*?(?:\/>|>([\s\S]*?)<\/Message>)/g)) {
    const inner = match[1] ?? '';
    const body = /<Body\b[^>]*>([\s\S]*?)<\/Body>/.exec(inner)?.[1] ?? inner.replace(/<Media\b[\s\S]*?<\/Media>/g, '');
    const text = decodeXml(body.replace(/<[^>]*>/g, '')).trim();
    if (text !== '') texts.push(text);
  }
  return texts;
}

function decodeXml(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (_, entity: string) => {
    const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
    if (entity.startsWith('#x') || entity.startsWith('#X')) return String.fromCodePoint(parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(parseInt(entity.slice(1), 10));
    return named[entity.toLowerCase()] ?? '';
  });
}

/** Sends a reply from the practice number to a phone (keyword auto-reply or TwiML), unless it has opted out. */
export function sendReply(
  context: InboundContext,
  reply: { from: string; to: string; body: string; bypassOptOut?: boolean },
): MessageRecord {
  const now = new Date().toISOString();
  const optedOut = !reply.bypassOptOut && context.log.optOutState(reply.to, reply.from) === true;
  const message: MessageRecord = {
    seq: context.log.nextSeq(),
    sid: newSid('SM'),
    accountSid: context.account.accountSid,
    direction: 'outbound-reply',
    from: reply.from,
    to: reply.to,
    body: reply.body,
    status: optedOut ? 'failed' : 'queued',
    errorCode: optedOut ? 21610 : null,
    errorMessage: optedOut ? errorMessageFor(21610) : null,
    messagingServiceSid: null,
    numSegments: segmentsOf(reply.body, 0),
    media: [],
    statusCallback: null,
    dateCreated: now,
    dateUpdated: now,
    dateSent: null,
    outcome: outcomeFor(reply.to, context.account.deliveryFailures),
  };
  context.log.put(message);
  if (!optedOut) context.scheduler.start(message);
  return message;
}

/** Receives a text from a phone: logs it, applies keywords, posts the webhook, sends any replies. */
export async function receiveInbound(
  context: InboundContext,
  input: InboundInput,
  onLogged?: (message: MessageRecord) => void,
): Promise<InboundResult> {
  const from = normalizeToE164(input.from);
  if (from === undefined) throw new Error('The sending phone number is not a valid number');
  const practice = input.to === undefined ? [...context.account.smsNumbers][0] : normalizeToE164(input.to);
  if (practice === undefined || !context.account.smsNumbers.has(practice)) {
    throw new Error('Texts can only be sent to one of the practice numbers');
  }
  const now = new Date().toISOString();
  const media: MediaRecord[] = (input.media ?? []).map((name) => {
    // `rash` and `rash.png` both name the bundled picture.
    const sample = context.samples.get(name) ?? context.samples.get(`${name}.png`);
    if (sample === undefined) throw new Error(`There is no sample picture named ${name}`);
    return {
      sid: newSid('ME'),
      contentType: sample.contentType,
      dateCreated: now,
      source: { kind: 'sample', name: sample.name },
    };
  });
  if (input.body.trim() === '' && media.length === 0) throw new Error('A text needs words or a picture');
  const service = [...context.account.messagingServices].find(([, numbers]) => numbers.includes(practice))?.[0];
  const message: MessageRecord = {
    seq: context.log.nextSeq(),
    sid: newSid(media.length > 0 ? 'MM' : 'SM'),
    accountSid: context.account.accountSid,
    direction: 'inbound',
    from,
    to: practice,
    body: input.body,
    status: 'received',
    errorCode: null,
    errorMessage: null,
    messagingServiceSid: service ?? null,
    numSegments: segmentsOf(input.body, media.length),
    media,
    statusCallback: null,
    dateCreated: now,
    dateUpdated: now,
    dateSent: now,
  };

  const keyword = media.length === 0 ? keywordOf(input.body) : undefined;
  if (keyword === 'STOP') context.log.setOptOut(from, practice, true);
  if (keyword === 'START') context.log.setOptOut(from, practice, false);
  onLogged?.(message);
  context.log.put(message);

  const replies: MessageRecord[] = [];
  if (keyword !== undefined && context.keywordAutoReply) {
    replies.push(
      sendReply(context, { from: practice, to: from, body: DEFAULT_KEYWORD_REPLIES[keyword], bypassOptOut: true }),
    );
  }

  let webhook: WebhookOutcome | undefined;
  if (context.inboundWebhookUrl !== undefined) {
    const params = inboundWebhookParams(message, context.apiBaseUrl, context.advancedOptOut ? keyword : undefined);
    webhook = await context.dispatcher.send({
      kind: 'inbound',
      url: context.inboundWebhookUrl,
      params,
      orderKey: message.sid,
    });
    if (!webhook.ok && context.inboundFallbackUrl !== undefined) {
      const fallbackParams = { ...params, ErrorCode: '11200', ErrorUrl: context.inboundWebhookUrl };
      webhook = await context.dispatcher.send({
        kind: 'inbound',
        url: context.inboundFallbackUrl,
        params: fallbackParams,
        orderKey: message.sid,
      });
    }
    if (webhook.ok && webhook.body !== undefined && /<Response\b/.test(webhook.body)) {
      for (const text of twimlMessages(webhook.body)) {
        replies.push(sendReply(context, { from: practice, to: from, body: text }));
      }
    }
  }
  return { message, webhook, replies };
}
