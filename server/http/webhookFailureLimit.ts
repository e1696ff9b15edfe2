/**
 * A rate limit on the Twilio webhooks that never slows Twilio down. Twilio delivers inbound messages without limit and
 * does not retry a refused one, so the limit counts only *rejected* requests (bad signature, malformed form) per
 * client address: an address that sent more than `maxFailures` of them in the current window is answered 429 until
 * the window ends. Valid, signed traffic never counts. Memory is bounded by `maxTracked` addresses.
 */
import type { RequestHandler } from 'express';
import { outcome } from './errorHandler';

export interface WebhookFailureLimitOptions {
  /** Path prefix the limit guards. */
  prefix: string;
  maxFailures: number;
  windowMs: number;
  /** Most addresses remembered at once. */
  maxTracked?: number;
  now?: () => number;
}

interface Tally {
  failures: number;
  windowStart: number;
}

/** Middleware answering 429 to addresses that sent too many rejected webhook requests. */
export function limitWebhookFailures(options: WebhookFailureLimitOptions): RequestHandler {
  const now = options.now ?? Date.now;
  const maxTracked = options.maxTracked ?? 10_000;
  const tallies = new Map<string, Tally>();

  const current = (key: string, at: number): Tally | undefined => {
    const tally = tallies.get(key);
    if (tally && at - tally.windowStart >= options.windowMs) {
      tallies.delete(key);
      return undefined;
    }
    return tally;
  };

  const record = (key: string): void => {
    const at = now();
    const tally = current(key, at);
    if (tally) {
      tally.failures += 1;
      return;
    }
    if (tallies.size >= maxTracked) {
      for (const [other, old] of tallies) if (at - old.windowStart >= options.windowMs) tallies.delete(other);
      if (tallies.size >= maxTracked) tallies.clear();
    }
    tallies.set(key, { failures: 1, windowStart: at });
  };

  return (req, res, next) => {
    if (!req.path.startsWith(options.prefix)) return next();
    const key = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    const tally = current(key, now());
    if (tally && tally.failures >= options.maxFailures) {
      const retryAfter = Math.max(1, Math.ceil((tally.windowStart + options.windowMs - now()) / 1000));
      res
        .status(429)
        .set('Retry-After', String(retryAfter))
        .type('application/fhir+json')
        .send(
          JSON.stringify(
            outcome('throttled', 'Too many rejected webhook requests from this address; check the Twilio signature.'),
          ),
        );
      return;
    }
    res.on('finish', () => {
      if (res.statusCode >= 400 && res.statusCode < 500 && res.statusCode !== 429) record(key);
    });
    next();
  };
}
