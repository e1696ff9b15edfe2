/**
 * Two cheap guards in front of every route. The relay's browser API (`/api/...`) takes no cross-origin requests: it
 * sends no CORS headers, and a request whose `Origin` is another site (a form post or `fetch` from someone else's
 * page) is refused before it does anything. Request bodies larger than ChartText ever takes are refused from their
 * declared length, before a byte is read (the webhook parsers enforce their own, smaller limits on what they read).
 */
import type { RequestHandler, Response } from 'express';
import { outcome } from './errorHandler';

const refuse = (res: Response, status: number, code: string, diagnostics: string): void => {
  res
    .status(status)
    .type('application/fhir+json')
    .send(JSON.stringify(outcome(code, diagnostics)));
};

/** Refuses `/api/` requests from pages of another origin (pure apart from the response it writes). */
export function refuseCrossOriginApi(publicBaseUrl: string): RequestHandler {
  const ownOrigin = new URL(publicBaseUrl).origin;
  return (req, res, next) => {
    const origin = req.get('origin');
    // No Origin: a server (the EHR's Subscription notification) or a same-origin GET. Browsers always send Origin
    // on cross-origin requests and on POSTs (https://fetch.spec.whatwg.org/#origin-header).
    if (!req.path.startsWith('/api/') || origin === undefined) return next();
    let host: string | undefined;
    try {
      host = new URL(origin).host;
    } catch {
      host = undefined;
    }
    if (origin === ownOrigin || (host !== undefined && host === req.get('host'))) return next();
    refuse(res, 403, 'forbidden', `ChartText's API answers only its own pages (${ownOrigin}), not ${origin}.`);
  };
}

/** Refuses requests that declare a body over `maxBytes` (413). */
export function limitRequestBodies(maxBytes: number): RequestHandler {
  return (req, res, next) => {
    const declared = Number(req.get('content-length') ?? 0);
    if (Number.isFinite(declared) && declared <= maxBytes) return next();
    res.set('Connection', 'close');
    refuse(res, 413, 'too-costly', `The request body is too large (limit ${Math.floor(maxBytes / 1024)} KiB).`);
  };
}
