/**
 * Adapts a SMART authorization request to oidc-provider before it sees it.
 *
 * OpenID Connect grants `offline_access` only with `prompt=consent` and silently drops it otherwise
 * (https://openid.net/specs/openid-connect-core-1_0.html#OfflineAccess); SMART apps ask for `offline_access` without
 * a prompt and expect a refresh token (https://hl7.org/fhir/smart-app-launch/scopes-and-launch-context.html#scopes-for-requesting-a-refresh-token).
 * Every sandbox authorization goes through its own sign-in step anyway, so the request gets `prompt=consent` added.
 * A POSTed request (`authorize-post`) is turned into the equivalent GET so this works the same for both.
 */
import express, { type RequestHandler } from 'express';

/** Express middleware for the authorization endpoint at `authorizePath` (relative to the issuer). */
export function adaptAuthorizeRequest(authorizePath: string): RequestHandler[] {
  const form = express.urlencoded({ extended: false, limit: '56kb' });
  const parsePost: RequestHandler = (req, res, next) => {
    if (req.method === 'POST' && req.path === authorizePath && req.is('application/x-www-form-urlencoded')) {
      form(req, res, next);
      return;
    }
    next();
  };
  const adapt: RequestHandler = (req, _res, next) => {
    if (req.path !== authorizePath) return next();
    let params: URLSearchParams;
    let changed = false;
    if (req.method === 'GET') {
      params = new URL(req.url, 'http://sandbox.invalid').searchParams;
    } else if (req.method === 'POST' && typeof req.body === 'object' && req.body !== null) {
      params = new URLSearchParams();
      for (const [name, value] of Object.entries(req.body as Record<string, string | string[]>)) {
        for (const item of Array.isArray(value) ? value : [value]) params.append(name, item);
      }
      req.method = 'GET';
      changed = true;
    } else {
      return next();
    }
    const scopes = (params.get('scope') ?? '').split(' ');
    const prompts = new Set((params.get('prompt') ?? '').split(' ').filter(Boolean));
    if (scopes.includes('offline_access') && !prompts.has('none') && !prompts.has('consent')) {
      prompts.add('consent');
      params.set('prompt', [...prompts].join(' '));
      changed = true;
    }
    if (!changed) return next();
    req.url = `${authorizePath}?${params.toString()}`;
    // oidc-provider derives its mount path from originalUrl; keep the two consistent.
    req.originalUrl = `${req.baseUrl}${req.url}`;
    next();
  };
  return [parsePost, adapt];
}
