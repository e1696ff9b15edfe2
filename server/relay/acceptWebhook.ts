/**
 * Takes a verified webhook (inbound SMS or status callback) and files it, answering Twilio within a time budget
 * whatever the EHR does: done, still working (it carries on), or kept for retry because the EHR is unreachable.
 * Twilio does not retry an inbound webhook we answered, so nothing here may be dropped silently.
 */
import { applyStatusCallback, type StatusReport } from './applyStatusCallback';
import type { RelayContext } from './context';
import { describeError } from './describeError';
import { isTransientFhirError } from './fhirStore';
import type { InboundSms } from './parseInbound';
import { receiveInbound } from './receiveInbound';
import { createRetryQueue, type RetryQueue } from './retryQueue';

export type Accepted = 'done' | 'working' | 'queued' | 'failed';

export interface WebhookIntake {
  inbound(sms: InboundSms): Promise<Accepted>;
  status(report: StatusReport): Promise<Accepted>;
  /** Webhooks waiting for the EHR. */
  pending(): number;
  /** Retries every waiting webhook now. */
  flush(): Promise<void>;
  stop(): void;
}

export interface IntakeOptions {
  /** How long a webhook may wait for the EHR before Twilio gets its answer (Twilio times out at 15 s). */
  budgetMs: number;
  retry: { maxItems: number; baseDelayMs: number; maxDelayMs: number; maxAgeMs: number };
}

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

  const accept = async <T>(
    item: T,
    work: (item: T) => Promise<unknown>,
    retry: RetryQueue<T>,
    fields: object,
  ): Promise<Accepted> => {
    const failed = (err: unknown): Accepted => {
      if (isTransientFhirError(err)) {
        retry.submit(item);
        return 'queued';
      }
      ctx.log.error({ ...fields, err: describeError(err) }, 'webhook could not be filed');
      return 'failed';
    };
    const running = work(item).then(
      (): Accepted => 'done',
      (err: unknown) => failed(err),
    );
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<Accepted>((resolve) => {
      timer = setTimeout(() => resolve('working'), options.budgetMs);
    });
    try {
      return await Promise.race([running, timeout]);
    } finally {
      clearTimeout(timer);
    }
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
    stop() {
      inboundQueue.stop();
      statusQueue.stop();
    },
  };
}
