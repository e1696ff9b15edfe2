/**
 * The SmsGateway over the official twilio SDK (Messages and Media of the 2010-04-01 API,
 * https://www.twilio.com/docs/messaging/api/message-resource). The SDK's own 429 auto-retry stays off: the relay's
 * send pipeline retries with its own bounds and checks Twilio's log before retrying an ambiguous failure.
 */
import twilio from 'twilio';
import type { MessageInstance } from 'twilio/lib/rest/api/v2010/account/message';
import { isTwilioStatus } from '../relay/mapTwilioStatus';
import { SmsGatewayError, type SmsGateway, type SmsMessage } from '../relay/smsGateway';
import { createRewritingRequestClient, rewriteTwilioUri, TWILIO_API_ORIGIN } from './twilioApiBase';

export interface TwilioGatewayOptions {
  accountSid: string;
  authToken?: string;
  apiKeySid?: string;
  apiKeySecret?: string;
  /** The practice number messages are sent from (ignored when a Messaging Service is set). */
  fromNumber: string;
  messagingServiceSid?: string;
  /** Sandbox only: where api.twilio.com requests go instead. */
  apiBaseUrl?: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

const MAX_MEDIA_BYTES = 5 * 1024 * 1024;

function toSmsMessage(message: MessageInstance): SmsMessage {
  const status = isTwilioStatus(message.status) ? message.status : 'queued';
  const segments = Number.parseInt(message.numSegments, 10);
  return {
    sid: message.sid,
    status,
    direction: message.direction === 'inbound' ? 'inbound' : 'outbound',
    from: message.from ?? '',
    to: message.to,
    body: message.body ?? '',
    ...(Number.isInteger(segments) && segments > 0 ? { numSegments: segments } : {}),
    numMedia: Number.parseInt(message.numMedia, 10) || 0,
    ...(message.dateCreated ? { dateCreated: message.dateCreated.toISOString() } : {}),
    ...(message.dateSent ? { dateSent: message.dateSent.toISOString() } : {}),
    ...(message.errorCode ? { errorCode: message.errorCode } : {}),
    ...(message.errorMessage ? { errorMessage: message.errorMessage } : {}),
    ...(message.accountSid ? { accountSid: message.accountSid } : {}),
    ...(message.messagingServiceSid ? { messagingServiceSid: message.messagingServiceSid } : {}),
  };
}

const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ERR_BAD_REQUEST']);

/** The SDK's error as an SmsGatewayError; `creating` marks a Message create, whose 5xx/timeout is ambiguous. */
function gatewayError(err: unknown, creating: boolean): SmsGatewayError {
  if (err instanceof twilio.RestException) {
    return new SmsGatewayError(err.message, {
      status: err.status,
      ...(err.code === undefined ? {} : { code: err.code }),
      ambiguous: creating && err.status >= 500,
      cause: err,
    });
  }
  const code = (err as { code?: unknown }).code;
  const sent = !(typeof code === 'string' && NOT_SENT.has(code));
  return new SmsGatewayError('Twilio could not be reached', { status: 0, ambiguous: creating && sent, cause: err });
}

/** A gateway to Twilio (or, with apiBaseUrl, to the sandbox phone simulator). */
export function createTwilioGateway(options: TwilioGatewayOptions): SmsGateway {
  const [username, password] =
    options.apiKeySid && options.apiKeySecret
      ? [options.apiKeySid, options.apiKeySecret]
      : [options.accountSid, options.authToken ?? ''];
  const client = twilio(username, password, {
    accountSid: options.accountSid,
    timeout: options.timeoutMs ?? 15_000,
    ...(options.apiBaseUrl
      ? { httpClient: createRewritingRequestClient(options.apiBaseUrl, options.timeoutMs ?? 15_000) }
      : {}),
  });
  const fetchImpl = options.fetch ?? fetch;
  const apiOrigins = new Set([TWILIO_API_ORIGIN, ...(options.apiBaseUrl ? [new URL(options.apiBaseUrl).origin] : [])]);

  return {
    async send(request) {
      try {
        const message = await client.messages.create({
          to: request.to,
          body: request.body,
          statusCallback: request.statusCallback,
          ...(options.messagingServiceSid
            ? { messagingServiceSid: options.messagingServiceSid }
            : { from: options.fromNumber }),
        });
        return toSmsMessage(message);
      } catch (err) {
        throw gatewayError(err, true);
      }
    },
    async fetch(sid) {
      try {
        return toSmsMessage(await client.messages(sid).fetch());
      } catch (err) {
        throw gatewayError(err, false);
      }
    },
    async list(filter) {
      try {
        const messages = await client.messages.list({
          ...(filter.to ? { to: filter.to } : {}),
          ...(filter.from ? { from: filter.from } : {}),
          ...(filter.dateSentAfter ? { dateSentAfter: filter.dateSentAfter } : {}),
          ...(filter.dateSentBefore ? { dateSentBefore: filter.dateSentBefore } : {}),
          limit: filter.limit,
          pageSize: Math.min(1000, filter.limit),
        });
        return messages.map(toSmsMessage);
      } catch (err) {
        throw gatewayError(err, false);
      }
    },
    async listMedia(messageSid) {
      try {
        const media = await client.messages(messageSid).media.list({ limit: 10 });
        return media.map((item) => ({
          url: `${TWILIO_API_ORIGIN}${item.uri.replace(/\.json$/, '')}`,
          contentType: item.contentType,
        }));
      } catch (err) {
        throw gatewayError(err, false);
      }
    },
    async fetchMedia(url) {
      const target = options.apiBaseUrl ? rewriteTwilioUri(url, options.apiBaseUrl) : url;
      // Credentials go only to Twilio's API origin; a media URL elsewhere (a CDN redirect target) gets none.
      const authorization = apiOrigins.has(new URL(target).origin)
        ? { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` }
        : undefined;
      let response: Response;
      try {
        response = await fetchImpl(target, {
          headers: { ...authorization },
          signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
        });
      } catch (err) {
        throw gatewayError(err, false);
      }
      if (!response.ok)
        throw new SmsGatewayError(`media fetch answered ${response.status}`, {
          status: response.status,
          ambiguous: false,
        });
      const data = new Uint8Array(await response.arrayBuffer());
      if (data.byteLength > MAX_MEDIA_BYTES) {
        throw new SmsGatewayError('media larger than 5 MB', { status: 413, ambiguous: false });
      }
      return { contentType: response.headers.get('content-type')?.split(';')[0] ?? 'application/octet-stream', data };
    },
  };
}
