/**
 * Twilio's webhook requests, signed as Twilio signs them: a form-encoded POST with `X-Twilio-Signature`, the
 * base64 HMAC-SHA1 of the URL followed by the sorted parameters, keyed with the auth token
 * (https://www.twilio.com/docs/usage/webhooks/webhooks-security; computed with the twilio SDK's own function).
 *
 * Retries follow Twilio: none by default for messaging webhooks, unless the URL carries connection overrides
 * (`#rc=2&rp=ct,5xx`, https://www.twilio.com/docs/usage/webhooks/webhooks-connection-overrides) or the simulator is
 * configured otherwise. Requests for one message go out one after another, in order; tests can hold them and release
 * them in another order.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import twilio from 'twilio';

/** Which failures a retry policy retries: no connection / timeout, a 4xx answer, a 5xx answer. */
export type RetryOn = 'connection' | '4xx' | '5xx';

export interface WebhookRetryPolicy {
  /** Retries after the first attempt (Twilio allows 0–5). */
  retries: number;
  on: RetryOn[];
  /** Wait before each retry. */
  delayMs: number;
}

/** Twilio's default for messaging webhooks: no retry. */
export const TWILIO_DEFAULT_RETRY: WebhookRetryPolicy = { retries: 0, on: ['connection'], delayMs: 0 };

export type WebhookKind = 'status' | 'inbound';

export interface WebhookJob {
  kind: WebhookKind;
  url: string;
  params: Record<string, string>;
  /** Requests with the same key (the message SID) are sent in order. */
  orderKey: string;
}

/** One HTTP attempt, as tests and the page see it (no parameters: they hold numbers and bodies). */
export interface WebhookAttempt {
  kind: WebhookKind;
  messageSid: string;
  messageStatus?: string;
  attempt: number;
  idempotencyToken: string;
  httpStatus?: number;
  error?: string;
  ok: boolean;
  at: string;
}

/** How a webhook ended, read like a fetch Response: `ok`, the last HTTP `status` (none if no answer came). */
export interface WebhookOutcome {
  ok: boolean;
  status?: number;
  contentType?: string;
  body?: string;
  attempts: number;
}

export interface WebhookDispatcher {
  send(job: WebhookJob): Promise<WebhookOutcome>;
  /** Holds every request from now on until `resume`. */
  pause(): void;
  /** Sends the held requests one by one, in the order asked, then sends as usual again. */
  resume(order?: 'fifo' | 'reverse' | ((held: WebhookJob[]) => WebhookJob[])): Promise<void>;
  heldCount(): number;
  attempts(): readonly WebhookAttempt[];
  /** Resolves when nothing is in flight or waiting (held requests excepted). */
  idle(): Promise<void>;
  close(): void;
}

/** Splits Twilio's connection overrides off a URL: the URL to request and sign, and the retry policy they ask. */
export function parseConnectionOverrides(
  url: string,
  fallback: WebhookRetryPolicy,
): { url: string; retry: WebhookRetryPolicy } {
  const hash = url.indexOf('#');
  if (hash === -1) return { url, retry: fallback };
  const overrides = new URLSearchParams(url.slice(hash + 1));
  const rc = overrides.get('rc');
  const rp = overrides.get('rp');
  const retries = rc === null ? fallback.retries : Math.min(5, Math.max(0, Number.parseInt(rc, 10) || 0));
  let on = fallback.on;
  if (rp !== null) {
    const parts = rp.split(',').map((part) => part.trim());
    on = parts.includes('all')
      ? ['connection', '4xx', '5xx']
      : [
          ...(parts.includes('ct') || parts.includes('rt') ? (['connection'] as const) : []),
          ...(parts.includes('4xx') ? (['4xx'] as const) : []),
          ...(parts.includes('5xx') ? (['5xx'] as const) : []),
        ];
  }
  return { url: url.slice(0, hash), retry: { ...fallback, retries, on } };
}

/** The `X-Twilio-Signature` for a POST of `params` to `url`. */
export function signWebhook(authToken: string, url: string, params: Record<string, string>): string {
  return twilio.getExpectedTwilioSignature(authToken, url, params);
}

const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Twilio reads at most this much of a webhook's answer (TwiML); the rest is dropped. */
const MAX_ANSWER_BYTES = 64 * 1024;

interface HttpAnswer {
  status: number;
  contentType: string;
  body: string;
}

/** One form POST over keep-alive connections (node:http is much cheaper than fetch at callback rates). */
function postForm(
  url: URL,
  headers: Record<string, string>,
  body: string,
  agents: { http: http.Agent; https: https.Agent },
  timeoutMs: number,
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const secure = url.protocol === 'https:';
    const request = (secure ? https : http).request(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) },
        agent: secure ? agents.https : agents.http,
        timeout: timeoutMs,
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size <= MAX_ANSWER_BYTES) chunks.push(chunk);
        });
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            contentType: response.headers['content-type'] ?? '',
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(Object.assign(new Error('Timed out'), { code: 'ETIMEDOUT' })));
    request.on('error', reject);
    request.end(body);
  });
}

/** A dispatcher that signs with `authToken` and retries by `defaultRetry` unless a URL overrides it. */
export function createWebhookDispatcher(options: {
  authToken: string;
  timeoutMs: number;
  defaultRetry: WebhookRetryPolicy;
  onAttempt?: (attempt: WebhookAttempt) => void;
}): WebhookDispatcher {
  const chains = new Map<string, Promise<unknown>>();
  const held: Array<{ job: WebhookJob; resolve: (outcome: WebhookOutcome) => void }> = [];
  const attempts: WebhookAttempt[] = [];
  const inFlight = new Set<Promise<unknown>>();
  const agents = {
    http: new http.Agent({ keepAlive: true, maxSockets: 64 }),
    https: new https.Agent({ keepAlive: true, maxSockets: 64 }),
  };
  let paused = false;
  let closed = false;

  const record = (attempt: WebhookAttempt): void => {
    attempts.push(attempt);
    // Keep the latest few thousand; trim in bulk so recording stays O(1) on average.
    if (attempts.length > 10_000) attempts.splice(0, attempts.length - 5_000);
    options.onAttempt?.(attempt);
  };

  const deliver = async (job: WebhookJob): Promise<WebhookOutcome> => {
    const { url, retry } = parseConnectionOverrides(job.url, options.defaultRetry);
    const target = new URL(url);
    // One token per event, the same on every retry (Twilio's I-Twilio-Idempotency-Token).
    const idempotencyToken = randomUUID();
    const body = new URLSearchParams(job.params).toString();
    let outcome: WebhookOutcome = { ok: false, attempts: 0 };
    for (let attempt = 1; attempt <= retry.retries + 1 && !closed; attempt += 1) {
      if (attempt > 1 && retry.delayMs > 0) await wait(retry.delayMs);
      const base = {
        kind: job.kind,
        messageSid: job.params.MessageSid ?? '',
        ...(job.params.MessageStatus === undefined ? {} : { messageStatus: job.params.MessageStatus }),
        attempt,
        idempotencyToken,
        at: new Date().toISOString(),
      };
      let failure: RetryOn;
      try {
        const response = await postForm(
          target,
          {
            'Content-Type': 'application/x-www-form-urlencoded',
            'X-Twilio-Signature': signWebhook(options.authToken, url, job.params),
            'I-Twilio-Idempotency-Token': idempotencyToken,
            'User-Agent': 'TwilioProxy/1.1',
          },
          body,
          agents,
          options.timeoutMs,
        );
        const ok = response.status >= 200 && response.status < 300;
        outcome = {
          ok,
          status: response.status,
          contentType: response.contentType,
          body: response.body,
          attempts: attempt,
        };
        record({ ...base, httpStatus: response.status, ok });
        if (ok) return outcome;
        failure = response.status >= 500 ? '5xx' : '4xx';
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        outcome = { ok: false, attempts: attempt };
        record({ ...base, error: typeof code === 'string' ? code : 'Error', ok: false });
        failure = 'connection';
      }
      if (!retry.on.includes(failure)) break;
    }
    return outcome;
  };

  const track = <T>(promise: Promise<T>): Promise<T> => {
    inFlight.add(promise);
    void promise.finally(() => inFlight.delete(promise));
    return promise;
  };

  const sendInOrder = (job: WebhookJob): Promise<WebhookOutcome> => {
    const previous = chains.get(job.orderKey) ?? Promise.resolve();
    const next = previous.then(() => deliver(job));
    const settled = next.catch(() => undefined);
    chains.set(job.orderKey, settled);
    void settled.then(() => {
      if (chains.get(job.orderKey) === settled) chains.delete(job.orderKey);
    });
    return track(next);
  };

  return {
    send(job) {
      if (closed) return Promise.resolve({ ok: false, attempts: 0 });
      if (paused) return new Promise((resolve) => held.push({ job, resolve }));
      return sendInOrder(job);
    },
    pause() {
      paused = true;
    },
    async resume(order = 'fifo') {
      paused = false;
      const waiting = held.splice(0, held.length);
      const jobs = waiting.map((entry) => entry.job);
      const ordered = order === 'fifo' ? jobs : order === 'reverse' ? [...jobs].reverse() : order(jobs);
      for (const job of ordered) {
        const entry = waiting.find((candidate) => candidate.job === job);
        const outcome = await track(deliver(job));
        entry?.resolve(outcome);
      }
    },
    heldCount: () => held.length,
    attempts: () => attempts,
    async idle() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
    close() {
      closed = true;
      agents.http.destroy();
      agents.https.destroy();
      for (const entry of held.splice(0, held.length)) entry.resolve({ ok: false, attempts: 0 });
    },
  };
}
