/**
 * SMART Backend Services access tokens (https://hl7.org/fhir/smart-app-launch/backend-services.html):
 * the token endpoint from `<fhir base>/.well-known/smart-configuration`, a `client_credentials` grant authenticated
 * with a `private_key_jwt` assertion (RS384/ES384, unique jti, exp five minutes at most), and the token reused until
 * shortly before it expires. Concurrent callers share one request.
 */
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { RelaySigningKey } from './signingKey';

export interface TokenSource {
  /** A valid access token (cached). */
  getToken(): Promise<string>;
  /** Forget the cached token (after a 401). */
  invalidate(): void;
}

export interface BackendServicesOptions {
  fhirBaseUrl: string;
  clientId: string;
  key: RelaySigningKey;
  scope: string;
  fetch?: typeof fetch;
  now?: () => number;
  /** Renew this long before expiry. */
  refreshMarginMs?: number;
  timeoutMs?: number;
}

/** An error obtaining a token, saying what to check. */
export class TokenError extends Error {
  readonly status: number;
  constructor(message: string, status: number, cause?: unknown) {
    super(message, { cause });
    this.name = 'TokenError';
    this.status = status;
  }
}

/** Seconds an assertion lives: SMART allows up to five minutes; less keeps a leaked assertion useless sooner. */
const ASSERTION_LIFETIME_S = 240;

/** The token endpoint named by the EHR's SMART configuration. */
export async function discoverTokenEndpoint(
  fhirBaseUrl: string,
  fetchImpl: typeof fetch,
  timeoutMs: number,
): Promise<string> {
  const url = `${fhirBaseUrl}/.well-known/smart-configuration`;
  let response: Response;
  try {
    response = await fetchImpl(url, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    throw new TokenError(`could not reach ${url}`, 0, err);
  }
  if (!response.ok) throw new TokenError(`${url} answered ${response.status}`, response.status);
  const configuration = (await response.json()) as { token_endpoint?: unknown };
  if (typeof configuration.token_endpoint !== 'string') {
    throw new TokenError(`${url} has no token_endpoint`, 502);
  }
  return configuration.token_endpoint;
}

/** A cached backend-services token source. */
export function createBackendServicesToken(options: BackendServicesOptions): TokenSource {
  const fetchImpl = options.fetch ?? fetch;
  const now = options.now ?? Date.now;
  const margin = options.refreshMarginMs ?? 60_000;
  const timeoutMs = options.timeoutMs ?? 15_000;
  let tokenEndpoint: string | undefined;
  let cached: { token: string; refreshAt: number } | undefined;
  let inFlight: Promise<string> | undefined;

  const assertion = async (audience: string): Promise<string> => {
    const issuedAt = Math.floor(now() / 1000);
    return new SignJWT({})
      .setProtectedHeader({ alg: options.key.alg, kid: options.key.kid, typ: 'JWT' })
      .setIssuer(options.clientId)
      .setSubject(options.clientId)
      .setAudience(audience)
      .setJti(randomUUID())
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + ASSERTION_LIFETIME_S)
      .sign(options.key.privateKey);
  };

  const request = async (): Promise<string> => {
    tokenEndpoint ??= await discoverTokenEndpoint(options.fhirBaseUrl, fetchImpl, timeoutMs);
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      scope: options.scope,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: await assertion(tokenEndpoint),
    });
    let response: Response;
    try {
      response = await fetchImpl(tokenEndpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new TokenError(`could not reach the token endpoint ${tokenEndpoint}`, 0, err);
    }
    const json = (await response.json().catch(() => ({}))) as {
      access_token?: unknown;
      expires_in?: unknown;
      error?: unknown;
      error_description?: unknown;
    };
    if (!response.ok || typeof json.access_token !== 'string') {
      const reason = [json.error, json.error_description].filter((part) => typeof part === 'string').join(': ');
      throw new TokenError(
        `the token endpoint refused the relay (${response.status}${reason ? ` ${reason}` : ''}); check the client id, ` +
          'that the EHR has the relay’s JWKS URL or public key, and the requested scopes',
        response.status,
      );
    }
    const lifetime = typeof json.expires_in === 'number' && json.expires_in > 0 ? json.expires_in : 300;
    const lifetimeMs = lifetime * 1000;
    cached = { token: json.access_token, refreshAt: now() + lifetimeMs - Math.min(margin, lifetimeMs / 4) };
    return json.access_token;
  };

  return {
    async getToken() {
      if (cached && cached.refreshAt > now()) return cached.token;
      inFlight ??= request().finally(() => {
        inFlight = undefined;
      });
      return inFlight;
    },
    invalidate() {
      cached = undefined;
    },
  };
}
