/**
 * The phone simulator: a Twilio stand-in for the offline sandbox. It serves Twilio's Messages REST API under
 * `/twilio/2010-04-01/…`, drives signed status callbacks and inbound webhooks, keeps Twilio's message log on disk,
 * and shows each seeded patient's phone at `/phone`. Tests get hooks to send texts, wait for messages, count them,
 * inject faults and hold callbacks. See docs/decisions/060–062.
 */
import { EventEmitter } from 'node:events';
import type { Router } from 'express';
import express from 'express';
import { z } from 'zod';
import { PRACTICE } from '../seed/roster';
import type { SendingAccount } from './createMessage';
import { createDeliveryScheduler } from './deliverMessage';
import { createFaultQueue, errorFault, type Fault, type FaultTarget } from './faults';
import { openMessageLog } from './messageLog';
import { FINAL_STATUSES, type MessageDirection, type MessageRecord, type MessageStatus } from './messageRecord';
import type { WebhookState } from './phonePage';
import { normalizeToE164 } from './phoneNumbers';
import { createPhoneRoutes } from './phoneRoutes';
import { receiveInbound, type InboundContext, type InboundInput, type InboundResult } from './receiveInbound';
import {
  rosterDeliveryFailures,
  rosterInitialOptOuts,
  rosterPhones,
  type CreateFailureRule,
  type DeliveryFailureRule,
  type SimulatedPhone,
} from './rosterPhones';
import { createSampleImages } from './sampleImages';
import {
  createWebhookDispatcher,
  TWILIO_DEFAULT_RETRY,
  type WebhookAttempt,
  type WebhookJob,
  type WebhookRetryPolicy,
} from './sendWebhook';
import { createTwilioRoutes } from './twilioRoutes';

const e164 = z.string().regex(/^\+[1-9]\d{1,14}$/, 'must be an E.164 number such as +12015550100');

const optionsSchema = z.object({
  accountSid: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'must be AC followed by 32 hex digits'),
  authToken: z.string().min(1, 'is required (the auth token webhooks are signed with)'),
  apiKeys: z.array(z.object({ sid: z.string().regex(/^SK[0-9a-fA-F]{32}$/), secret: z.string().min(1) })).default([]),
  publicBaseUrl: z.url().transform((url) => url.replace(/\/+$/, '')),
  dataDir: z.string().min(1).optional(),
  inboundWebhookUrl: z.url().optional(),
  inboundFallbackUrl: z.url().optional(),
  practiceNumbers: z.array(e164).min(1).default([PRACTICE.smsNumber]),
  voiceOnlyNumbers: z.array(e164).optional(),
  messagingServices: z
    .array(z.object({ sid: z.string().regex(/^MG[0-9a-fA-F]{32}$/), numbers: z.array(e164) }))
    .default([]),
  allowedCountries: z.array(z.string().length(2)).default(['US', 'CA']),
  timing: z
    .object({ sentAfterMs: z.number().min(0), finalAfterMs: z.number().min(0) })
    .default({ sentAfterMs: 100, finalAfterMs: 250 }),
  webhookTimeoutMs: z.number().int().positive().default(15_000),
  keywordAutoReply: z.boolean().default(true),
  advancedOptOut: z.boolean().default(false),
  mediaRequiresAuth: z.boolean().default(true),
});

export interface PhoneSimulatorOptions extends z.input<typeof optionsSchema> {
  /** Phones shown on the page; default: the roster's patients and the unknown phone. */
  phones?: SimulatedPhone[];
  /** Default: the landline-only patient → undelivered 30006. */
  deliveryFailures?: DeliveryFailureRule[];
  /** Permanent create errors per `To`, e.g. 21614. Default none. */
  createFailures?: CreateFailureRule[];
  /** Numbers opted out of a practice number at first start. Default: the roster's opted-out patient. */
  initialOptOuts?: Array<{ phone: string; practice: string }>;
  /** Default: Twilio's (no retry); a URL's `#rc=…&rp=…` overrides it. */
  webhookRetry?: Partial<WebhookRetryPolicy>;
  /** Told about failed webhooks (SIDs and HTTP statuses only, never numbers or bodies). */
  logger?: { warn: (details: object, message: string) => void };
}

/** Which messages a hook means; every given field must match. */
export interface MessageFilter {
  sid?: string;
  to?: string;
  from?: string;
  direction?: MessageDirection;
  status?: MessageStatus | MessageStatus[];
  body?: string | RegExp;
}

export interface PhoneSimulator {
  /** Serves `/twilio/…` and `/phone…`; mount at the sandbox root. */
  router: Router;
  /** `<publicBaseUrl>/twilio`: where the twilio SDK's `https://api.twilio.com` is rewritten to. */
  apiBaseUrl: string;
  phones: readonly SimulatedPhone[];
  /** A text from a phone to a practice number; resolves after the webhook (and any TwiML replies). */
  sendInbound(input: InboundInput): Promise<InboundResult>;
  /** The first message matching `filter`, now or when it appears. */
  waitForMessage(filter: MessageFilter, options?: { timeoutMs?: number }): Promise<MessageRecord>;
  messages(filter?: MessageFilter): MessageRecord[];
  countMessages(filter?: MessageFilter): number;
  faults: {
    inject(fault: Fault, options?: { count?: number; target?: FaultTarget }): void;
    /** The next `count` requests answer with 429 / 500 / 503 or a Twilio error code (e.g. 21614). */
    failNext(count: number, statusOrCode: number, target?: FaultTarget): void;
    clear(): void;
  };
  callbacks: {
    pause(): void;
    /** Sends the held callbacks and webhooks, in the order asked. */
    resume(order?: 'fifo' | 'reverse' | ((held: WebhookJob[]) => WebhookJob[])): Promise<void>;
    held(): number;
    attempts(): readonly WebhookAttempt[];
  };
  isOptedOut(phone: string, practice?: string): boolean;
  /** Resolves when no status step, webhook or inbound text is pending. */
  settled(options?: { timeoutMs?: number }): Promise<void>;
  /** Forgets every message and opt-out (test hook). */
  reset(): void;
  close(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether `message` matches `filter`. */
export function matchesFilter(message: MessageRecord, filter: MessageFilter): boolean {
  if (filter.sid !== undefined && message.sid !== filter.sid) return false;
  if (filter.to !== undefined && message.to !== filter.to) return false;
  if (filter.from !== undefined && message.from !== filter.from) return false;
  if (filter.direction !== undefined && message.direction !== filter.direction) return false;
  if (filter.status !== undefined) {
    const statuses = Array.isArray(filter.status) ? filter.status : [filter.status];
    if (!statuses.includes(message.status)) return false;
  }
  if (typeof filter.body === 'string' && message.body !== filter.body) return false;
  if (filter.body instanceof RegExp && !filter.body.test(message.body)) return false;
  return true;
}

/** Builds a phone simulator; nothing listens until the lead mounts `router` on a server. */
export function createPhoneSimulator(options: PhoneSimulatorOptions): PhoneSimulator {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Phone simulator options are invalid:\n${lines.join('\n')}`);
  }
  const config = parsed.data;
  const apiBaseUrl = `${config.publicBaseUrl}/twilio`;
  const log = openMessageLog(config.dataDir);
  const samples = createSampleImages();
  const phones = options.phones ?? rosterPhones();
  const practiceNumber = config.practiceNumbers[0] ?? PRACTICE.smsNumber;
  const voiceOnly = config.voiceOnlyNumbers ?? [normalizeToE164(PRACTICE.voiceNumber) ?? ''];

  const account: SendingAccount = {
    accountSid: config.accountSid,
    smsNumbers: new Set(config.practiceNumbers),
    voiceOnlyNumbers: new Set(voiceOnly.filter((number) => number !== '')),
    messagingServices: new Map(config.messagingServices.map((service) => [service.sid, service.numbers])),
    allowedCountries: new Set(config.allowedCountries),
    createFailures: options.createFailures ?? [],
    deliveryFailures: options.deliveryFailures ?? rosterDeliveryFailures(),
  };

  const dispatcher = createWebhookDispatcher({
    authToken: config.authToken,
    timeoutMs: config.webhookTimeoutMs,
    defaultRetry: { ...TWILIO_DEFAULT_RETRY, ...options.webhookRetry },
    onAttempt: (attempt) => {
      if (!attempt.ok) options.logger?.warn({ ...attempt }, 'phone simulator: webhook attempt failed');
    },
  });
  const scheduler = createDeliveryScheduler({
    log,
    dispatcher,
    timing: config.timing,
    senderFor: (message) => account.messagingServices.get(message.messagingServiceSid ?? '')?.[0] ?? practiceNumber,
  });
  const faults = createFaultQueue();

  const applyInitialOptOuts = (): void => {
    for (const { phone, practice } of options.initialOptOuts ?? rosterInitialOptOuts()) {
      if (log.optOutState(phone, practice) === undefined) log.setOptOut(phone, practice, true);
    }
  };
  applyInitialOptOuts();
  for (const message of log.all()) {
    if (message.direction !== 'inbound' && !FINAL_STATUSES.has(message.status)) scheduler.resume(message);
  }

  // The page follows the log; a phone's thread changes when a message to or from it does.
  const changes = new EventEmitter<{ change: [string[]] }>();
  changes.setMaxListeners(0);
  const keyOfNumber = new Map(phones.map((phone) => [phone.number, phone.key]));
  const announce = (number: string | null): void => {
    const key = number === null ? undefined : keyOfNumber.get(number);
    if (key !== undefined) changes.emit('change', [key]);
  };
  log.events.on('change', (message) => announce(message.direction === 'inbound' ? message.from : message.to));

  const webhookStates = new Map<string, WebhookState>();
  const inboundInFlight = new Set<Promise<unknown>>();
  const inboundContext: InboundContext = {
    account,
    log,
    dispatcher,
    scheduler,
    samples,
    inboundWebhookUrl: config.inboundWebhookUrl,
    inboundFallbackUrl: config.inboundFallbackUrl,
    apiBaseUrl,
    keywordAutoReply: config.keywordAutoReply,
    advancedOptOut: config.advancedOptOut,
  };

  const sendInbound = (input: InboundInput): Promise<InboundResult> => {
    const pending = receiveInbound(inboundContext, input, (message) => {
      webhookStates.set(message.sid, config.inboundWebhookUrl === undefined ? 'none' : 'pending');
    }).then((result) => {
      if (result.webhook !== undefined) webhookStates.set(result.message.sid, result.webhook.ok ? 'ok' : 'failed');
      announce(result.message.from);
      return result;
    });
    inboundInFlight.add(pending);
    void pending.catch(() => undefined).finally(() => inboundInFlight.delete(pending));
    return pending;
  };

  const messages = (filter: MessageFilter = {}): MessageRecord[] =>
    log.all().filter((message) => matchesFilter(message, filter));

  const { router: pageRouter, closeStreams } = createPhoneRoutes({
    model: {
      phones,
      practiceNumber,
      samples,
      threadOf: (phone) =>
        log.all().filter((message) => (message.direction === 'inbound' ? message.from : message.to) === phone.number),
      optedOut: (phone) => log.optOutState(phone.number, practiceNumber) === true,
      webhookState: (sid) => webhookStates.get(sid) ?? 'none',
      mediaView: (message, index) => {
        const source = message.media[index]?.source;
        if (source?.kind === 'url') return { src: source.url, alt: 'Picture sent by the practice' };
        const sample = samples.get(source?.name ?? '');
        return { src: `/phone/samples/${sample?.name ?? ''}`, alt: sample?.label ?? 'Picture' };
      },
    },
    changes,
    publicOrigin: new URL(config.publicBaseUrl).origin,
    sendFromPhone: async (phone, text, picture) => {
      if (phone.kind === 'landline') return { ok: false, text: 'A landline cannot send texts.' };
      const pending = sendInbound({ from: phone.number, body: text, media: picture === undefined ? [] : [picture] });
      void pending.catch(() => undefined);
      const result = await Promise.race([pending, sleep(2_500).then(() => undefined)]);
      if (result === undefined) return { ok: true, text: 'Sent. ChartText has not answered yet.' };
      if (result.webhook === undefined)
        return { ok: true, text: 'Sent. No webhook is configured, so only the log has it.' };
      return result.webhook.ok
        ? { ok: true, text: `Sent. ChartText answered ${result.webhook.status ?? ''}.` }
        : { ok: true, text: 'Sent, but ChartText did not take it. It stays in Twilio’s log for reconciliation.' };
    },
  });

  const router = express.Router();
  router.use(
    '/twilio',
    createTwilioRoutes({
      account,
      credentials: new Map([
        [config.accountSid, config.authToken],
        ...config.apiKeys.map((key): [string, string] => [key.sid, key.secret]),
      ]),
      mediaRequiresAuth: config.mediaRequiresAuth,
      log,
      scheduler,
      faults,
      samples,
    }),
  );
  router.use('/phone', pageRouter);

  return {
    router,
    apiBaseUrl,
    phones,
    sendInbound,
    waitForMessage(filter, { timeoutMs = 5_000 } = {}) {
      const existing = log.all().find((message) => matchesFilter(message, filter));
      if (existing !== undefined) return Promise.resolve(existing);
      return new Promise((resolve, reject) => {
        const onChange = (message: MessageRecord): void => {
          if (!matchesFilter(message, filter)) return;
          clearTimeout(timer);
          log.events.off('change', onChange);
          resolve(message);
        };
        const timer = setTimeout(() => {
          log.events.off('change', onChange);
          reject(
            new Error(
              `No message matching ${JSON.stringify({ ...filter, body: String(filter.body) })} within ${timeoutMs} ms`,
            ),
          );
        }, timeoutMs);
        log.events.on('change', onChange);
      });
    },
    messages,
    countMessages: (filter) => messages(filter).length,
    faults: {
      inject: (fault, faultOptions) => faults.inject(fault, faultOptions),
      failNext: (count, statusOrCode, target = 'create') => faults.inject(errorFault(statusOrCode), { count, target }),
      clear: () => faults.clear(),
    },
    callbacks: {
      pause: () => dispatcher.pause(),
      resume: (order) => dispatcher.resume(order),
      held: () => dispatcher.heldCount(),
      attempts: () => dispatcher.attempts(),
    },
    isOptedOut: (phone, practice = practiceNumber) => log.optOutState(phone, practice) === true,
    async settled({ timeoutMs = 10_000 } = {}) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        await dispatcher.idle();
        // An inbound text whose webhook is held (callbacks paused) counts as settled until resumed.
        const inboundPending = inboundInFlight.size > 0 && dispatcher.heldCount() === 0;
        if (scheduler.pendingCount() === 0 && !inboundPending) return;
        await sleep(5);
      }
      throw new Error(`The phone simulator still had work pending after ${timeoutMs} ms`);
    },
    reset() {
      faults.clear();
      log.clear();
      webhookStates.clear();
      applyInitialOptOuts();
    },
    async close() {
      scheduler.close();
      dispatcher.close();
      closeStreams();
      await Promise.allSettled([...inboundInFlight]);
      log.close();
      changes.removeAllListeners();
    },
  };
}
