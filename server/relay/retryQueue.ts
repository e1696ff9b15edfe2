/**
 * Webhooks that arrived while the EHR was unreachable, kept in memory and retried with bounded exponential backoff.
 * Memory is not durable: what is lost with the process (or dropped when the queue is full or an item too old)
 * is recovered from Twilio's log by reconciliation (docs/decisions/054).
 */
import type { Clock, RelayLog } from './context';
import { describeError } from './describeError';
import { isTransientFhirError } from './fhirStore';

export interface RetryQueueOptions<T> {
  name: string;
  process: (item: T) => Promise<unknown>;
  /** Log fields for an item (never PHI). */
  describe: (item: T) => object;
  /** Items kept at most; more are dropped (reconciliation recovers them). */
  maxItems: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** An item older than this is given up to reconciliation. */
  maxAgeMs: number;
  clock: Clock;
  log: RelayLog;
}

export interface RetryQueue<T> {
  /** Keeps `item` for retry; false when it was not kept (queue full or stopped). */
  submit(item: T): boolean;
  size(): number;
  /** Retries every item now (tests, and the moment the EHR is seen back). */
  flush(): Promise<void>;
  stop(): void;
}

interface Pending<T> {
  item: T;
  attempts: number;
  firstAt: number;
  dueAt: number;
}

/** A bounded in-memory retry queue with its own timer. */
export function createRetryQueue<T>(options: RetryQueueOptions<T>): RetryQueue<T> {
  const pending: Pending<T>[] = [];
  let timer: NodeJS.Timeout | undefined;
  let busy = false;
  let stopped = false;

  const schedule = (): void => {
    if (stopped || timer || pending.length === 0) return;
    const next = Math.min(...pending.map((entry) => entry.dueAt));
    timer = setTimeout(
      () => {
        timer = undefined;
        void run(false);
      },
      Math.max(0, next - options.clock.now().getTime()),
    );
    timer.unref();
  };

  const attempt = async (entry: Pending<T>): Promise<void> => {
    entry.attempts++;
    try {
      await options.process(entry.item);
      options.log.info(
        { queue: options.name, attempts: entry.attempts, ...options.describe(entry.item) },
        'retried webhook filed',
      );
      return;
    } catch (err) {
      const now = options.clock.now().getTime();
      if (!isTransientFhirError(err) || now - entry.firstAt > options.maxAgeMs) {
        options.log.error(
          { queue: options.name, attempts: entry.attempts, err: describeError(err), ...options.describe(entry.item) },
          'webhook given up to reconciliation',
        );
        return;
      }
      const delay = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (entry.attempts - 1));
      entry.dueAt = now + delay / 2 + Math.random() * (delay / 2);
      pending.push(entry);
    }
  };

  const run = async (all: boolean): Promise<void> => {
    if (busy) return;
    busy = true;
    try {
      const now = options.clock.now().getTime();
      const due = pending.filter((entry) => all || entry.dueAt <= now);
      for (const entry of due) pending.splice(pending.indexOf(entry), 1);
      for (const entry of due) {
        if (stopped) break;
        await attempt(entry);
      }
    } finally {
      busy = false;
      schedule();
    }
  };

  return {
    submit(item) {
      if (stopped) return false;
      if (pending.length >= options.maxItems) {
        options.log.error(
          { queue: options.name, size: pending.length, ...options.describe(item) },
          'retry queue full; webhook not kept (Twilio is told to retry when it still waits for the answer)',
        );
        return false;
      }
      const now = options.clock.now().getTime();
      pending.push({ item, attempts: 1, firstAt: now, dueAt: now + options.baseDelayMs });
      options.log.warn({ queue: options.name, ...options.describe(item) }, 'EHR unreachable; webhook kept for retry');
      schedule();
      return true;
    },
    size: () => pending.length,
    flush: () => run(true),
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}
