/**
 * `POST /api/outbox/nudge`: the client's "I just created a message" (no body, no PHI), rate-limited, answered 202
 * at once; the drain it starts reads everything it needs from the EHR. `POST /api/outbox/notify` is the same for
 * a FHIR Subscription rest-hook, authenticated by the secret header the relay put on the Subscription.
 */
import { timingSafeEqual } from 'node:crypto';
import { OperationOutcomeError, unauthorized } from '@medplum/core';
import express, { type Router } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { OutboxDrain } from '../relay/drainOutbox';
import { outcome } from './errorHandler';

/** The outbox routes. */
export function outboxRoutes(options: { drain: OutboxDrain; nudgesPerMinute: number; notifySecret?: string }): Router {
  const router = express.Router();
  const limiter = (perMinute: number): express.RequestHandler =>
    rateLimit({
      windowMs: 60_000,
      limit: perMinute,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      handler: (_req, res) => {
        res
          .status(429)
          .type('application/fhir+json')
          .send(JSON.stringify(outcome('throttled', 'Too many nudges; pending messages are still sent by the sweep.')));
      },
    });
  const nudges = limiter(options.nudgesPerMinute);
  // Notifications are authenticated and come from one EHR; their own budget keeps a flood from starving nudges.
  const notifications = limiter(options.nudgesPerMinute * 10);

  router.post('/api/outbox/nudge', nudges, (_req, res) => {
    void options.drain.request();
    res.status(202).json({ status: 'accepted' });
  });

  router.post('/api/outbox/notify', notifications, (req, res, next) => {
    const given = Buffer.from(req.get('authorization') ?? '');
    const expected = Buffer.from(options.notifySecret ? `Bearer ${options.notifySecret}` : '');
    if (!options.notifySecret || given.length !== expected.length || !timingSafeEqual(given, expected)) {
      next(new OperationOutcomeError(unauthorized));
      return;
    }
    void options.drain.request();
    res.status(200).end();
  });

  return router;
}
