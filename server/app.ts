/**
 * `createApp(deps)`: the relay as an Express application plus its background work (sweep, reconciliation, retries),
 * built from the two outside interfaces and the configuration. It never listens: `server/index.ts` does, and
 * `scripts/start.ts` mounts it beside the launch and client pages. Routes: see docs/decisions/056.
 */
import { createHmac } from 'node:crypto';
import express, { type Express } from 'express';
import type { Logger } from 'pino';
import type { TokenSource } from './adapters/backendServicesToken';
import type { RelayConfig } from './config';
import { createLogger } from './createLogger';
import { errorHandler } from './http/errorHandler';
import { healthRoutes } from './http/healthRoutes';
import { jwksRoute } from './http/jwksRoute';
import { outboxRoutes } from './http/outboxRoutes';
import { requestLog } from './http/requestLog';
import { twilioWebhooks } from './http/twilioWebhooks';
import type { WebhookFailureLimit } from './http/webhookFailureLimit';
import { createWebhookIntake, type WebhookIntake } from './relay/acceptWebhook';
import { systemClock, noFaults, type Clock, type FaultPoints, type RelayContext } from './relay/context';
import { describeError } from './relay/describeError';
import { createOutboxDrain, type OutboxDrain } from './relay/drainOutbox';
import { ensureSubscription, type SubscriptionState } from './relay/ensureSubscription';
import type { FhirStore } from './relay/fhirStore';
import { createReconciler, type Reconciler } from './relay/reconcile';
import type { SmsGateway } from './relay/smsGateway';

export interface AppDeps {
  config: RelayConfig;
  fhir: FhirStore;
  sms: SmsGateway;
  /** For /readyz: proves a backend-services token can be obtained. */
  token?: TokenSource;
  logger?: Logger;
  clock?: Clock;
  /** Test runs only: stop the send pipeline at a named step (never set in production). */
  faultPoints?: FaultPoints;
  /** How long a webhook waits for the EHR before Twilio is answered (default 10 s; Twilio gives up at 15 s). */
  webhookBudgetMs?: number;
  /** Retry of webhooks that met an unreachable EHR (defaults: 1 s doubling to 60 s, for up to 6 hours, 10,000 kept). */
  webhookRetry?: { baseDelayMs: number; maxDelayMs: number; maxAgeMs: number; maxItems: number };
  /** The served origin's limit on webhook requests failing the signature check (docs/decisions/081). */
  webhookFailures?: WebhookFailureLimit;
  /** Webhooks filed at once; more get 503 + Retry-After (default 256, docs/decisions/017). */
  webhookConcurrency?: number;
  /** How long `stop()` waits for work in flight (default 10 s, within the shutdown grace period). */
  stopGraceMs?: number;
}

export interface RelayApp {
  /** The Express app: mount it, or listen on it (index.ts). */
  app: Express;
  context: RelayContext;
  drain: OutboxDrain;
  reconciler: Reconciler;
  intake: WebhookIntake;
  /** Starts the sweep, reconciliation and (if offered) the FHIR Subscription. */
  start(): void;
  /**
   * Stops background work and new webhooks, then waits (bounded) for what is in flight: drain sends, reconciliation
   * passes and webhooks still being filed.
   */
  stop(): Promise<void>;
  subscription(): SubscriptionState | undefined;
}

/** The secret the relay's Subscription carries, derived from its private key (the same for every relay replica). */
function notifySecret(config: RelayConfig): string {
  const der = config.signingKey.privateKey.export({ format: 'der', type: 'pkcs8' });
  return createHmac('sha256', der).update('charttext-outbox-notify').digest('base64url');
}

/** Builds the relay. */
export function createApp(deps: AppDeps): RelayApp {
  const { config } = deps;
  const logger = deps.logger ?? createLogger(config.logLevel);
  const context: RelayContext = {
    fhir: deps.fhir,
    sms: deps.sms,
    clock: deps.clock ?? systemClock,
    log: logger,
    faults: deps.faultPoints ?? noFaults,
    settings: {
      practiceNumber: config.twilio.fromNumber,
      practiceOrganization: config.practiceOrganization,
      publicBaseUrl: config.publicBaseUrl,
      region: config.region,
      keywordReplies: config.keywordReplies,
      claimTimeoutMs: config.claimTimeoutMs,
      stuckAfterMs: config.stuckAfterMs,
      reconcileLookbackMs: config.reconcileLookbackMs,
      sendDeadlineMs: config.sendDeadlineMs,
      // The backoff fits the deadline: 4 attempts take at most ~7/16 of it in pauses.
      sendRetry: {
        attempts: 4,
        baseDelayMs: Math.min(500, config.sendDeadlineMs / 16),
        maxDelayMs: Math.min(8_000, config.sendDeadlineMs / 4),
      },
      sendConcurrency: config.sendConcurrency,
      pageSize: 100,
    },
  };
  const drain = createOutboxDrain(context);
  const reconciler = createReconciler(context, 2 * config.reconcileIntervalMs);
  const intake = createWebhookIntake(context, {
    budgetMs: deps.webhookBudgetMs ?? 10_000,
    retry: deps.webhookRetry ?? { baseDelayMs: 1_000, maxDelayMs: 60_000, maxAgeMs: 6 * 3_600_000, maxItems: 10_000 },
    ...(deps.webhookConcurrency === undefined ? {} : { maxActive: deps.webhookConcurrency }),
  });
  const secret = notifySecret(config);

  const app = express();
  app.disable('x-powered-by');
  // Limits count by client address; behind a load balancer that address comes from X-Forwarded-For.
  app.set('trust proxy', config.trustProxy);
  app.use(requestLog(logger));
  app.use(jwksRoute(config.signingKey.publicJwk));
  app.use(
    healthRoutes({
      ehr: async () => {
        await deps.fhir.search('Communication', { _summary: 'count' });
      },
      token: async () => {
        if (deps.token) await deps.token.getToken();
      },
      twilio: () =>
        config.twilio.accountSid && config.twilio.authToken
          ? Promise.resolve()
          : Promise.reject(new Error('Twilio is not configured')),
    }),
  );
  app.use(
    twilioWebhooks({
      intake,
      accountSid: config.twilio.accountSid,
      authToken: config.twilio.authToken,
      publicBaseUrl: config.publicBaseUrl,
      keywordReplies: config.keywordReplies,
      practice: config.practice,
      region: config.region,
      ...(deps.webhookFailures ? { failures: deps.webhookFailures } : {}),
    }),
  );
  app.use(outboxRoutes({ drain, nudgesPerMinute: config.nudgeRateLimitPerMinute, notifySecret: secret }));
  app.use(errorHandler(logger));

  const timers: NodeJS.Timeout[] = [];
  /** Background passes running now (reconciliation sends too), for stop() to wait on. */
  const background = new Set<Promise<unknown>>();
  let subscriptionState: SubscriptionState | undefined;
  let stopped = false;
  const track = (work: Promise<unknown>): Promise<unknown> => {
    background.add(work);
    void work.finally(() => background.delete(work)).catch(() => undefined);
    return work;
  };

  return {
    app,
    context,
    drain,
    reconciler,
    intake,
    start() {
      const every = (ms: number, work: () => Promise<unknown>): void => {
        const timer = setInterval(() => {
          if (!stopped)
            track(work()).catch((err: unknown) => logger.warn({ err: describeError(err) }, 'background work failed'));
        }, ms);
        timer.unref();
        timers.push(timer);
      };
      every(config.sweepIntervalMs, () => drain.request());
      every(config.reconcileIntervalMs, () => reconciler.run());
      void drain.request();
      void track(reconciler.run()).catch(() => undefined);
      if (config.subscription === 'auto') {
        void ensureSubscription(context, `${config.publicBaseUrl}/api/outbox/notify`, secret).then((state) => {
          subscriptionState = state;
        });
      }
    },
    async stop() {
      stopped = true;
      for (const timer of timers) clearInterval(timer);
      intake.stop();
      drain.close();
      let timer: NodeJS.Timeout | undefined;
      const inFlight = Promise.allSettled([drain.idle(), intake.idle(), ...background]);
      await Promise.race([
        inFlight,
        new Promise((resolve) => {
          timer = setTimeout(resolve, deps.stopGraceMs ?? 10_000);
        }),
      ]);
      clearTimeout(timer);
    },
    subscription: () => subscriptionState,
  };
}
