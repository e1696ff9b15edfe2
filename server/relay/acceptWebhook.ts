/**
 * Takes a verified webhook (inbound SMS or status callback) and files it, answering Twilio within a time budget
 * whatever the EHR does: done, still working (it carries on), or kept for retry because the EHR is unreachable.
 * Twilio does not retry an inbound webhook we answered, so nothing here may be dropped silently: a webhook the relay
 * cannot keep (retry queue full, too many in flight, stopping) is refused with RetryLaterError before Twilio is
 * answered (docs/decisions/017).
 */
import { applyStatusCallback, type StatusReport } from './applyStatusCallback';
import type { RelayContext } from './context';
import { describeError } from './describeError';
import { isTransientFhirError } from './fhirStore';
import type { InboundSms } from './parseInbound';
import { receiveInbound } from './receiveInbound';
import { RetryLaterError } from './retryLater';
import { createRetryQueue, type RetryQueue } from './retryQueue';

export type Accepted = 'done' | 'working' | 'queued' | 'failed';

export interface WebhookIntake {
  inbound(sms: InboundSms): Promise<Accepted>;
  status(report: StatusReport): Promise<Accepted>;
  /** Webhooks waiting for the EHR. */
  pending(): number;
  /** Retries every waiting webhook now. */
  flush(): Promise<void>;
  /** Webhooks being filed now (answered or not). */
  active(): number;
  /** Refuses new webhooks and stops the retry timers; work in flight carries on. */
  stop(): void;
  /** Resolves when no webhook is being filed. */
  idle(): Promise<void>;
}

export interface IntakeOptions {
  /** How long a webhook may wait for the EHR before Twilio gets its answer (Twilio times out at 15 s). */
  budgetMs: number;
  retry: { maxItems: number; baseDelayMs: number; maxDelayMs: number; maxAgeMs: number };
  /** Webhooks filed at once (the rest get 503 + Retry-After), so a flood cannot exhaust memory; default 256. */
  maxActive?: number;
}

/** Seconds Twilio is asked to wait: briefly when busy, longer when the EHR is down. */
const RETRY_AFTER_BUSY_S = 5;
const DEFAULT_MAX_ACTIVE = 256;
const RETRY_AFTER_EHR_DOWN_S = 60;

/** The relay's webhook intake with its two retry queues. */
export function createWebhookIntake(ctx: RelayContext, options: IntakeOptions): WebhookIntake {
  const queue = <T>(
    name: string,
    process: (item: T) => Promise<unknown>,
    describe: (item: T) => object,
  ): RetryQueue<T> => createRetryQueue({ name, process, describe, ...options.retry, clock: ctx.clock, log: ctx.log });
  const inboundQueue = queue<InboundSms>(
    'inbound',
    (sms) => receiveInbound(ctx, sms),
    (sms) => ({ sid: sms.sid }),
  );
  const statusQueue = queue<StatusReport>(
    'status',
    (report) => applyStatusCallback(ctx, report),
    (report) => ({ sid: report.sid, status: report.status }),
  );

  const inFlight = new Set<Promise<unknown>>();
  let stopped = false;

  const accept = async <T>(
    item: T,
    work: (item: T) => Promise<unknown>,
    retry: RetryQueue<T>,
    fields: object,
  ): Promise<Accepted> => {
    if (stopped) throw new RetryLaterError('The relay is stopping; send the webhook again.', RETRY_AFTER_BUSY_S);
    if (inFlight.size >= (options.maxActive ?? DEFAULT_MAX_ACTIVE)) {
      ctx.log.warn({ ...fields, active: inFlight.size }, 'too many webhooks in flight; Twilio is told to retry');
      throw new RetryLaterError('The relay is busy; send the webhook again.', RETRY_AFTER_BUSY_S);
    }
    const failed = (err: unknown): Accepted | 'refused' => {
      if (isTransientFhirError(err)) return retry.submit(item) ? 'queued' : 'refused';
      ctx.log.error({ ...fields, err: describeError(err) }, 'webhook could not be filed');
      return 'failed';
    };
    const running = work(item).then(
      (): Accepted | 'refused' => 'done',
      (err: unknown) => failed(err),
    );
    inFlight.add(running);
    void running.finally(() => inFlight.delete(running));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<Accepted>((resolve) => {
      timer = setTimeout(() => resolve('working'), options.budgetMs);
    });
    let result: Accepted | 'refused';
    try {
      result = await Promise.race([running, timeout]);
    } finally {
      clearTimeout(timer);
    }
    if (result === 'refused') {
      throw new RetryLaterError(
        'The EHR is unreachable and the relay can keep no more webhooks.',
        RETRY_AFTER_EHR_DOWN_S,
      );
    }
    return result;
  };

  return {
    inbound: (sms) => accept(sms, (item) => receiveInbound(ctx, item), inboundQueue, { sid: sms.sid }),
    status: (report) =>
      accept(report, (item) => applyStatusCallback(ctx, item), statusQueue, { sid: report.sid, status: report.status }),
    pending: () => inboundQueue.size() + statusQueue.size(),
    async flush() {
      await inboundQueue.flush();
      await statusQueue.flush();
    },
    active: () => inFlight.size,
    stop() {
      stopped = true;
      inboundQueue.stop();
      statusQueue.stop();
    },
    async idle() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
}
