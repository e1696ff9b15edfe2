/**
 * Twilio webhook signatures (https://www.twilio.com/docs/usage/webhooks/webhooks-security): the `X-Twilio-Signature`
 * header is an HMAC of the URL Twilio was configured with and the POST parameters, keyed with the auth token.
 * The URL is rebuilt from PUBLIC_BASE_URL (never from the Host header, which a proxy or attacker controls) plus the
 * path and query. A missing or wrong signature is a 403 before anything is parsed further or written — or a 429 once
 * the sender's address is past the limit on failed requests (a signed request is never limited).
 *
 * Only the default scheme is read: HMAC-SHA1 keyed with the auth token. A Twilio Webhooks Rule signs with its own
 * SharedKey and algorithm (HMAC-SHA256 possible) and says so in X-Twilio-Webhooks-Signature-Settings; such requests
 * fail here with 403 (docs/decisions/056).
 */
import { timingSafeEqual } from 'node:crypto';
import { OperationOutcomeError, forbidden, tooManyRequests } from '@medplum/core';
import type { RequestHandler } from 'express';
import twilio from 'twilio';
import type { WebhookFailureLimit } from './webhookFailureLimit';

/** The URL Twilio signed: public base + the route's path + the query string as received. */
export function signedUrl(publicBaseUrl: string, routePath: string, originalUrl: string): string {
  const queryStart = originalUrl.indexOf('?');
  return `${publicBaseUrl}${routePath}${queryStart >= 0 ? originalUrl.slice(queryStart) : ''}`;
}

/** True when `signature` signs `url` and `form` with `authToken` (the SDK's check, the likeliest URL first). */
export function isSignedBy(authToken: string, signature: string, url: string, form: Record<string, unknown>): boolean {
  // Twilio signs the URL it was configured with, which is the one rebuilt here: one HMAC. Only when that fails does
  // the SDK try the variants it accepts (with and without the port, normalised encodings), one HMAC each.
  const expected = Buffer.from(twilio.getExpectedTwilioSignature(authToken, url, form));
  const given = Buffer.from(signature);
  if (given.length === expected.length && timingSafeEqual(given, expected)) return true;
  return twilio.validateRequest(authToken, signature, url, form);
}

/** Middleware rejecting any request to `routePath` without a valid Twilio signature. */
export function verifyTwilioSignature(options: {
  authToken: string;
  publicBaseUrl: string;
  routePath: string;
  /** Counts failed requests per client address (req.ip, which honours `trust proxy`). */
  failures?: WebhookFailureLimit;
}): RequestHandler {
  return (req, res, next) => {
    const signature = req.get('x-twilio-signature');
    const params: unknown = req.body;
    const form = typeof params === 'object' && params !== null ? (params as Record<string, unknown>) : {};
    const url = signedUrl(options.publicBaseUrl, options.routePath, req.originalUrl);
    if (!signature || !isSignedBy(options.authToken, signature, url, form)) {
      const retryAfter = options.failures?.recordFailure(req.ip ?? req.socket.remoteAddress ?? 'unknown');
      if (retryAfter !== undefined) {
        res.set('Retry-After', String(retryAfter));
        next(
          new OperationOutcomeError({
            ...tooManyRequests,
            issue: [
              {
                severity: 'error',
                code: 'throttled',
                diagnostics: 'Too many requests with a missing or invalid X-Twilio-Signature from this address.',
              },
            ],
          }),
        );
        return;
      }
      next(
        new OperationOutcomeError({
          ...forbidden,
          issue: [{ severity: 'error', code: 'forbidden', diagnostics: 'Missing or invalid X-Twilio-Signature.' }],
        }),
      );
      return;
    }
    next();
  };
}
