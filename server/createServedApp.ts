/**
 * ChartText on one origin, as `npm run serve` runs it: the security middleware, the built launch and client pages
 * (dist/web) and the relay, in that order, behind a shutdown gate. It never listens: `server/serve.ts` does, and
 * tests mount it on port 0. See docs/decisions/080-production-serving.md.
 */
import express, { type ErrorRequestHandler, type Express } from 'express';
import type { Logger } from 'pino';
import type { AppDeps, RelayApp } from './app';
import type { RelayConfig } from './config';
import { createLogger } from './createLogger';
import { createRelay } from './createRelay';
import { createShutdownGate, type ShutdownGate } from './gracefulShutdown';
import { errorHandler, notFoundHandler, outcome } from './http/errorHandler';
import { securityMiddleware } from './http/securityMiddleware';
import { templateRoutes } from './http/templateRoutes';
import { WEB_DIST_DIR, webPages } from './http/webPages';
import { createWebhookFailureLimit, WEBHOOK_FAILURES_PER_MINUTE } from './http/webhookFailureLimit';
import { TemplateSource } from './templates/templateFile';

export interface ServedAppOptions {
  /** The built pages (default dist/web). */
  distDir?: string;
  logger?: Logger;
  /** Relay parts for tests (an SMS gateway, fault points, a fetch). */
  relayOverrides?: Partial<Omit<AppDeps, 'config'>> & { fetch?: typeof fetch };
}

export interface ServedApp {
  app: Express;
  relay: RelayApp;
  gate: ShutdownGate;
}

/** Errors raised before the relay (a missing asset): 4xx as an OperationOutcome, anything else via the relay's mapping. */
function pageErrors(logger: Logger): ErrorRequestHandler {
  const fallback = errorHandler(logger);
  return (err: unknown, req, res, next) => {
    const status = (err as { status?: unknown } | undefined)?.status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const code = status === 404 ? 'not-found' : 'invalid';
      res
        .status(status)
        .type('application/fhir+json')
        .send(JSON.stringify(outcome(code, status === 404 ? `Nothing at ${req.path}.` : 'The request was refused.')));
      return;
    }
    fallback(err, req, res, next);
  };
}

/** Builds the served origin for `config` (the relay is built too, not started). */
export function createServedApp(config: RelayConfig, options: ServedAppOptions = {}): ServedApp {
  const logger = options.logger ?? createLogger(config.logLevel);
  const distDir = options.distDir ?? WEB_DIST_DIR;
  const relay = createRelay(config, {
    ...options.relayOverrides,
    logger,
    // Counted behind the signature check, so a signed request is never refused (docs/decisions/081).
    webhookFailures: createWebhookFailureLimit({ maxFailures: WEBHOOK_FAILURES_PER_MINUTE, windowMs: 60_000 }),
  });
  const gate = createShutdownGate();

  const app = express();
  app.disable('x-powered-by');
  // Rate limits count by client address; behind a load balancer that address comes from X-Forwarded-For.
  app.set('trust proxy', config.trustProxy);
  app.use(gate.middleware);
  app.use(securityMiddleware(config, { distDir }));
  app.use(webPages(distDir));
  app.use(
    templateRoutes(
      new TemplateSource(config.templatesFile, (problem) => logger.warn({ problem }, 'message templates refused')),
    ),
  );
  app.use(relay.app);
  app.use(notFoundHandler);
  app.use(pageErrors(logger));
  return { app, relay, gate };
}
