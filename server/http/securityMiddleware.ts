/**
 * Everything in front of ChartText's routes on its public origin (`npm run serve`, and `npm start` with the built
 * pages): helmet's headers with ChartText's Content-Security-Policy, HSTS when the public URL is https, no CORS for
 * the API and a body size ceiling. (The limit on forged webhook requests sits behind the signature check, in the relay's
 * webhook routes, so it can never refuse Twilio.) See docs/decisions/081-security-headers.md.
 */
import express, { type Router } from 'express';
import helmet from 'helmet';
import type { RelayConfig } from '../config';
import { inlineHashesOfBuild, policyDirectives } from './contentSecurityPolicy';
import { limitRequestBodies, refuseCrossOriginApi } from './requestGuards';
import { WEB_DIST_DIR } from './webPages';

/** The largest request body ChartText takes anywhere: Twilio's webhook forms stay far below it. */
export const MAX_BODY_BYTES = 64 * 1024;

export type SecurityConfig = Pick<RelayConfig, 'publicBaseUrl' | 'ehrOrigins' | 'fhirOrigins'>;

/** The security middleware for `config`; `distDir` holds the built pages whose inline blocks the CSP allows. */
export function securityMiddleware(config: SecurityConfig, options: { distDir?: string } = {}): Router {
  const https = new URL(config.publicBaseUrl).protocol === 'https:';
  const router = express.Router();
  router.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: policyDirectives({
          ehrOrigins: config.ehrOrigins,
          fhirOrigins: config.fhirOrigins,
          https,
          inline: inlineHashesOfBuild(options.distDir ?? WEB_DIST_DIR),
        }),
      },
      // HSTS only where the origin is https: on http (the loopback sandbox) browsers ignore it anyway.
      strictTransportSecurity: https ? { maxAge: 31_536_000, includeSubDomains: true } : false,
      // X-Frame-Options cannot name other origins; with EHR origins configured, frame-ancestors alone decides.
      xFrameOptions: config.ehrOrigins.length > 0 ? false : { action: 'deny' },
      referrerPolicy: { policy: 'no-referrer' },
    }),
  );
  router.use(refuseCrossOriginApi(config.publicBaseUrl));
  router.use(limitRequestBodies(MAX_BODY_BYTES));
  return router;
}
