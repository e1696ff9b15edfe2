/**
 * Twilio webhook signatures (https://www.twilio.com/docs/usage/webhooks/webhooks-security): the `X-Twilio-Signature`
 * header is an HMAC of the URL Twilio was configured with and the POST parameters, keyed with the auth token.
 * The URL is rebuilt from PUBLIC_BASE_URL (never from the Host header, which a proxy or attacker controls) plus the
 * path and query. A missing or wrong signature is a 403 before anything is parsed further or written.
 */
import { OperationOutcomeError, forbidden } from '@medplum/core';
import type { RequestHandler } from 'express';
import twilio from 'twilio';

/** The URL Twilio signed: public base + the route's path + the query string as received. */
export function signedUrl(publicBaseUrl: string, routePath: string, originalUrl: string): string {
  const queryStart = originalUrl.indexOf('?');
  return `${publicBaseUrl}${routePath}${queryStart >= 0 ? originalUrl.slice(queryStart) : ''}`;
}

/** Middleware rejecting any request to `routePath` without a valid Twilio signature. */
export function verifyTwilioSignature(options: {
  authToken: string;
  publicBaseUrl: string;
  routePath: string;
}): RequestHandler {
  return (req, _res, next) => {
    const signature = req.get('x-twilio-signature');
    const params: unknown = req.body;
    const form = typeof params === 'object' && params !== null ? (params as Record<string, unknown>) : {};
    const url = signedUrl(options.publicBaseUrl, options.routePath, req.originalUrl);
    if (!signature || !twilio.validateRequest(options.authToken, signature, url, form)) {
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
