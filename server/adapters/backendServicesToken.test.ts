import { generateKeyPairSync } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, importJWK, jwtVerify } from 'jose';
import { describe, expect, test } from 'vitest';
import { FhirStoreError } from '../relay/fhirStore';
import { createBackendServicesToken, TokenError } from './backendServicesToken';
import { createFhirRestStore } from './fhirRestStore';
import { loadSigningKey } from './signingKey';

const FHIR = 'https://ehr.example.org/fhir';
const TOKEN_URL = 'https://ehr.example.org/auth/token';
const key = loadSigningKey(
  generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
);

const urlOf = (input: string | URL | Request): string =>
  typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;

interface Call {
  url: string;
  init: RequestInit | undefined;
}

/** A fake EHR: discovery, a token endpoint issuing numbered tokens, and FHIR answers from `fhir`. */
function fakeEhr(options: { expiresIn?: number; fhir?: (call: Call) => Response; tokenStatus?: number } = {}) {
  const calls: Call[] = [];
  let issued = 0;
  const answer = (url: string, init: RequestInit | undefined): Response => {
    calls.push({ url, init });
    if (url === `${FHIR}/.well-known/smart-configuration`) return Response.json({ token_endpoint: TOKEN_URL });
    if (url === TOKEN_URL) {
      if (options.tokenStatus) return Response.json({ error: 'invalid_client' }, { status: options.tokenStatus });
      issued++;
      return Response.json({
        access_token: `token-${issued}`,
        token_type: 'bearer',
        expires_in: options.expiresIn ?? 300,
      });
    }
    return options.fhir ? options.fhir({ url, init }) : new Response(null, { status: 404 });
  };
  const fetchImpl = ((input: string | URL | Request, init?: RequestInit) =>
    Promise.resolve(answer(urlOf(input), init))) as typeof fetch;
  return { calls, fetchImpl, tokenRequests: () => calls.filter((call) => call.url === TOKEN_URL) };
}

const bodyOf = (init: RequestInit | undefined): string =>
  typeof init?.body === 'string' ? init.body : ((init?.body as URLSearchParams | undefined)?.toString() ?? '');

const assertionOf = (call: Call): string => new URLSearchParams(bodyOf(call.init)).get('client_assertion') ?? '';

describe('backend-services token', () => {
  test('the client assertion follows SMART Backend Services: signed, iss=sub=client, aud=token endpoint, jti, exp ≤ 5 min', async () => {
    const ehr = fakeEhr();
    const source = createBackendServicesToken({
      fhirBaseUrl: FHIR,
      clientId: 'charttext-relay',
      key,
      scope: 'system/Communication.crus',
      fetch: ehr.fetchImpl,
    });
    expect(await source.getToken()).toBe('token-1');
    const [request] = ehr.tokenRequests();
    const form = new URLSearchParams(bodyOf(request?.init));
    expect(form.get('grant_type')).toBe('client_credentials');
    expect(form.get('scope')).toBe('system/Communication.crus');
    expect(form.get('client_assertion_type')).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    const assertion = form.get('client_assertion') ?? '';
    const verified = await jwtVerify(assertion, await importJWK(key.publicJwk, 'ES384'), {
      audience: TOKEN_URL,
      issuer: 'charttext-relay',
    });
    expect(verified.payload.sub).toBe('charttext-relay');
    expect(decodeProtectedHeader(assertion)).toMatchObject({ alg: 'ES384', kid: key.kid, typ: 'JWT' });
    const { exp = 0, iat = 0 } = verified.payload;
    expect(exp - iat).toBeLessThanOrEqual(300);
    expect(exp - Math.floor(Date.now() / 1000)).toBeLessThanOrEqual(300);
  });

  test('the token is reused until shortly before it expires, and concurrent callers share one request', async () => {
    let now = 1_000_000;
    const ehr = fakeEhr({ expiresIn: 300 });
    const source = createBackendServicesToken({
      fhirBaseUrl: FHIR,
      clientId: 'c',
      key,
      scope: 's',
      fetch: ehr.fetchImpl,
      now: () => now,
    });
    const tokens = await Promise.all([source.getToken(), source.getToken(), source.getToken()]);
    expect(tokens).toEqual(['token-1', 'token-1', 'token-1']);
    now += 200_000;
    expect(await source.getToken()).toBe('token-1');
    now += 50_000; // within a minute of expiry
    expect(await source.getToken()).toBe('token-2');
    const [first, second] = ehr.tokenRequests().map((call) => decodeJwt(assertionOf(call)).jti);
    expect(first).not.toBe(second);
  });

  test('when the token endpoint refuses the relay, then the error says what to check', async () => {
    const ehr = fakeEhr({ tokenStatus: 401 });
    const source = createBackendServicesToken({
      fhirBaseUrl: FHIR,
      clientId: 'c',
      key,
      scope: 's',
      fetch: ehr.fetchImpl,
    });
    await expect(source.getToken()).rejects.toThrow(TokenError);
    await expect(source.getToken()).rejects.toThrow(/invalid_client.*JWKS URL/);
  });
});

describe('FHIR over HTTP with the token', () => {
  test('when the EHR answers 401 once, then the token is renewed and the request retried', async () => {
    let fhirCalls = 0;
    const ehr = fakeEhr({
      fhir: ({ init }) => {
        fhirCalls++;
        const auth = new Headers(init?.headers).get('authorization');
        return auth === 'Bearer token-2'
          ? Response.json({ resourceType: 'Patient', id: 'p' })
          : new Response(null, { status: 401 });
      },
    });
    const token = createBackendServicesToken({
      fhirBaseUrl: FHIR,
      clientId: 'c',
      key,
      scope: 's',
      fetch: ehr.fetchImpl,
    });
    const store = createFhirRestStore({ baseUrl: FHIR, token, fetch: ehr.fetchImpl });
    expect(await store.read('Patient', 'p')).toMatchObject({ id: 'p' });
    expect(fhirCalls).toBe(2);
  });

  test('a versioned update sends If-Match as a weak ETag, and a 412 comes back as a version conflict', async () => {
    const ehr = fakeEhr({
      fhir: () =>
        Response.json(
          {
            resourceType: 'OperationOutcome',
            issue: [{ severity: 'error', code: 'conflict', diagnostics: 'version' }],
          },
          { status: 412 },
        ),
    });
    const token = createBackendServicesToken({
      fhirBaseUrl: FHIR,
      clientId: 'c',
      key,
      scope: 's',
      fetch: ehr.fetchImpl,
    });
    const store = createFhirRestStore({ baseUrl: FHIR, token, fetch: ehr.fetchImpl });
    const error = await store
      .update({ resourceType: 'Patient', id: 'p' }, { ifMatch: '3' })
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(FhirStoreError);
    expect((error as FhirStoreError).status).toBe(412);
    const put = ehr.calls.find((call) => call.init?.method === 'PUT');
    expect(new Headers(put?.init?.headers).get('if-match')).toBe('W/"3"');
  });

  test('when the EHR cannot be reached, then the error has status 0 (transient)', async () => {
    const failing = ((input: string | URL | Request) => {
      const url = urlOf(input);
      if (url.endsWith('smart-configuration')) return Promise.resolve(Response.json({ token_endpoint: TOKEN_URL }));
      if (url === TOKEN_URL) return Promise.resolve(Response.json({ access_token: 't', expires_in: 300 }));
      return Promise.reject(new TypeError('fetch failed'));
    }) as typeof fetch;
    const token = createBackendServicesToken({ fhirBaseUrl: FHIR, clientId: 'c', key, scope: 's', fetch: failing });
    const store = createFhirRestStore({ baseUrl: FHIR, token, fetch: failing });
    const error = await store.read('Patient', 'p').catch((err: unknown) => err);
    expect((error as FhirStoreError).status).toBe(0);
  });
});
