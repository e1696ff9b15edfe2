/**
 * An in-memory SmsGateway for domain tests: a message log like Twilio's, scripted failures, and counters.
 * Integration tests use the sandbox phone simulator through the real twilio SDK instead.
 */
import { randomBytes } from 'node:crypto';
import {
  SmsGatewayError,
  type MediaItem,
  type SendRequest,
  type SmsGateway,
  type SmsMessage,
} from '../../../server/relay/smsGateway';

export interface ScriptedFailure {
  status: number;
  code?: number;
  /** The message was created at Twilio although the call failed (a 5xx after acceptance, a timeout). */
  createdAnyway?: boolean;
}

export interface FakeSmsGateway extends SmsGateway {
  readonly log: SmsMessage[];
  readonly sends: SendRequest[];
  readonly media: Map<string, { contentType: string; data: Uint8Array; messageSid: string }>;
  /** Failures returned by the next sends, in order. */
  failNext(...failures: ScriptedFailure[]): void;
  /** Adds an inbound message to the log (as if Twilio had received it), returning it. */
  receive(message: Partial<SmsMessage> & { from: string; to: string; body: string }, media?: MediaItem[]): SmsMessage;
}

/** Yields like a network call would, so callers interleave as they do against the real API. */
const io = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A Twilio-like SID: prefix and 32 hex digits. */
export function fakeSid(prefix = 'SM'): string {
  return prefix + randomBytes(16).toString('hex');
}

/** A fresh fake Twilio account sending from `from`. */
export function createFakeSmsGateway(from: string): FakeSmsGateway {
  const log: SmsMessage[] = [];
  const sends: SendRequest[] = [];
  const failures: ScriptedFailure[] = [];
  const media = new Map<string, { contentType: string; data: Uint8Array; messageSid: string }>();

  const create = (request: SendRequest): SmsMessage => {
    const message: SmsMessage = {
      sid: fakeSid(),
      status: 'queued',
      direction: 'outbound',
      from,
      to: request.to,
      body: request.body,
      numSegments: 1,
      numMedia: 0,
      dateCreated: new Date().toISOString(),
    };
    log.unshift(message);
    return message;
  };

  return {
    log,
    sends,
    media,
    failNext(...next) {
      failures.push(...next);
    },
    receive(partial, items = []) {
      const sid = partial.sid ?? fakeSid(items.length > 0 ? 'MM' : 'SM');
      const now = new Date().toISOString();
      const message: SmsMessage = {
        status: 'received',
        direction: 'inbound',
        numMedia: items.length,
        dateCreated: now,
        dateSent: now,
        ...partial,
        sid,
      };
      log.unshift(message);
      return message;
    },
    async send(request) {
      await io();
      sends.push(request);
      const failure = failures.shift();
      if (failure) {
        if (failure.createdAnyway) create(request);
        throw new SmsGatewayError(`Twilio answered ${failure.status}`, {
          status: failure.status,
          ...(failure.code === undefined ? {} : { code: failure.code }),
          ambiguous: failure.status === 0 || failure.status >= 500,
        });
      }
      return { ...create(request) };
    },
    async fetch(sid) {
      await io();
      const found = log.find((message) => message.sid === sid);
      if (!found) throw new SmsGatewayError('not found', { status: 404, code: 20404, ambiguous: false });
      return { ...found };
    },
    async list(filter) {
      await io();
      return log
        .filter((message) => (filter.to ? message.to === filter.to : true))
        .filter((message) => (filter.from ? message.from === filter.from : true))
        .filter((message) =>
          filter.dateSentAfter
            ? message.dateSent !== undefined && Date.parse(message.dateSent) >= filter.dateSentAfter.getTime()
            : true,
        )
        .filter((message) =>
          filter.dateSentBefore
            ? message.dateSent !== undefined && Date.parse(message.dateSent) <= filter.dateSentBefore.getTime()
            : true,
        )
        .slice(0, filter.limit)
        .map((message) => ({ ...message }));
    },
    async listMedia(messageSid) {
      await io();
      return [...media.entries()]
        .filter(([, item]) => item.messageSid === messageSid)
        .map(([url, item]) => ({ url, contentType: item.contentType }));
    },
    async fetchMedia(url) {
      await io();
      const item = media.get(url);
      if (!item) throw new SmsGatewayError('media not found', { status: 404, ambiguous: false });
      return { contentType: item.contentType, data: item.data };
    },
  };
}
