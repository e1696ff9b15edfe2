/**
 * `GET /.well-known/jwks.json`: the relay's public key, which the EHR fetches to verify its client assertions
 * (https://hl7.org/fhir/smart-app-launch/client-confidential-asymmetric.html#registering-a-client-communicating-public-keys).
 */
import express, { type Router } from 'express';
import type { JWK } from 'jose';

/** The JWKS route publishing `publicJwk`. */
export function jwksRoute(publicJwk: JWK): Router {
  const router = express.Router();
  const body = JSON.stringify({ keys: [publicJwk] });
  router.get('/.well-known/jwks.json', (_req, res) => {
    res.set('Cache-Control', 'public, max-age=300').type('application/json').send(body);
  });
  return router;
}
