/**
 * SMART Backend Services rules for the `private_key_jwt` client assertion, on top of the checks oidc-provider makes
 * (signature, iss, jti present and unused, exp present).
 * https://hl7.org/fhir/smart-app-launch/client-confidential-asymmetric.html#authenticating-to-the-token-endpoint
 */
import { errors, type KoaContextWithOIDC } from 'oidc-provider';

type JsonClaims = Record<string, unknown>;

/** Seconds an assertion's `exp` may lie ahead of now: "no more than five minutes in the future". */
export const MAX_ASSERTION_LIFETIME_SECONDS = 5 * 60;

const fail = (detail: string): Error => new errors.InvalidClientAuth(detail);

/** Checks a verified client assertion's claims and header; throws invalid_client saying what to fix. */
export function checkClientAssertion(
  claims: JsonClaims,
  header: JsonClaims,
  expected: { clientId: string; tokenEndpoint: string; clockToleranceSeconds: number; now?: number },
): void {
  const now = expected.now ?? Math.floor(Date.now() / 1000);
  if (typeof header.kid !== 'string' || header.kid.length === 0) {
    throw fail('the assertion header needs kid, the id of the signing key in your JWKS');
  }
  if (claims.sub !== expected.clientId) {
    throw fail('the assertion sub must be the client_id');
  }
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audiences.includes(expected.tokenEndpoint)) {
    throw fail(`the assertion aud must be the token endpoint URL ${expected.tokenEndpoint}`);
  }
  const exp = claims.exp;
  if (typeof exp !== 'number' || exp - now > MAX_ASSERTION_LIFETIME_SECONDS + expected.clockToleranceSeconds) {
    throw fail('the assertion exp must be no more than five minutes in the future');
  }
}

/** oidc-provider's `assertJwtClientAuthClaimsAndHeader` hook applying the SMART rules. */
export function smartClientAssertionHook(
  tokenEndpoint: string,
  clockToleranceSeconds: number,
): (ctx: KoaContextWithOIDC, claims: JsonClaims, header: JsonClaims, client: { clientId: string }) => void {
  return (_ctx, claims, header, client) =>
    checkClientAssertion(claims, header, { clientId: client.clientId, tokenEndpoint, clockToleranceSeconds });
}
