/**
 * EHR launch end to end with the real fhirclient library (its Node adapter), and the ways an authorization request
 * must fail. The server runs on 127.0.0.1 with a free port; the "browser" follows redirects with a cookie jar.
 */
import { createHash, randomBytes } from 'node:crypto';
import smart from 'fhirclient';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CHARTTEXT_CLIENT_ID, sandboxClients } from './clients';
import { browse, CookieJar, startAuthHarness, type AuthHarness } from './testHarness';

const SCOPE = 'launch openid fhirUser patient/Communication.rs patient/Patient.rs user/Practitioner.rs offline_access';

interface AppResult {
  tokenResponse: Record<string, unknown>;
  fhirUser: string | null;
  userType: string | null;
  patientId: string | null;
}

let harness: AuthHarness;

/** A tiny SMART app on the same server: /app/launch (authorize) and /app/client/ (ready), like launch/ and client/. */
function mountApp(app: AuthHarness['app']): void {
  const stored = new Map<string, unknown>();
  const storage = {
    get: (key: string) => Promise.resolve(stored.get(key)),
    set: (key: string, value: unknown) => Promise.resolve(stored.set(key, value) && value),
    unset: (key: string) => Promise.resolve(stored.delete(key)),
  };
  app.get('/app/launch', (req, res, next) => {
    const scope = typeof req.query.scope === 'string' ? req.query.scope : SCOPE;
    smart(req, res, storage)
      .authorize({ clientId: CHARTTEXT_CLIENT_ID, scope, redirectUri: '/app/client/' })
      .catch(next);
  });
  app.get('/app/client/', (req, res, next) => {
    smart(req, res, storage)
      .ready()
      .then((client) => {
        const result: AppResult = {
          tokenResponse: client.state.tokenResponse as Record<string, unknown>,
          fhirUser: client.getFhirUser(),
          userType: client.getUserType(),
          patientId: client.patient.id,
        };
        res.json(result);
      })
      .catch(next);
  });
}

beforeAll(async () => {
  harness = await startAuthHarness({
    clients: (origin) => sandboxClients({ appRedirectUris: [`${origin}/app/client/`], sandboxOrigin: origin }),
    mount: (app) => mountApp(app),
  });
});

afterAll(async () => {
  await harness.close();
});

/** Launches the app as the EHR would (iframe src = launch URL with iss and launch) and returns what it ends with. */
async function ehrLaunch(launch: string, scope = SCOPE, jar = new CookieJar()): Promise<AppResult> {
  const url = new URL('/app/launch', harness.origin);
  url.searchParams.set('iss', harness.fhirBaseUrl);
  url.searchParams.set('launch', launch);
  url.searchParams.set('scope', scope);
  const { response, url: landed } = await browse(url.href, jar);
  expect(landed.pathname, await response.clone().text()).toBe('/app/client/');
  expect(response.status).toBe(200);
  return (await response.json()) as AppResult;
}

/** A hand-made authorization request for the charttext client, with PKCE unless told otherwise. */
function authorizeUrl(overrides: Record<string, string | undefined> = {}): string {
  const verifier = randomBytes(32).toString('base64url');
  const params: Record<string, string | undefined> = {
    response_type: 'code',
    client_id: CHARTTEXT_CLIENT_ID,
    redirect_uri: `${harness.origin}/app/client/`,
    scope: SCOPE,
    state: 'state-1',
    aud: harness.fhirBaseUrl,
    launch: harness.auth.createLaunch({ user: 'dr-lee', patient: 'p0001' }),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    ...overrides,
  };
  const url = new URL(`${harness.issuer}/authorize`);
  for (const [name, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(name, value);
  return url.href;
}

/** Where the authorization server sent the browser back to the app (or undefined when it showed a page). */
async function redirectBack(url: string): Promise<URLSearchParams | undefined> {
  const { url: landed } = await browse(url, new CookieJar(), { stop: (next) => next.pathname === '/app/client/' });
  return landed.pathname === '/app/client/' ? landed.searchParams : undefined;
}

describe('discovery', () => {
  test('when an app reads the SMART configuration at the FHIR base, then it is complete for SMART App Launch 2', async () => {
    const response = await fetch(`${harness.fhirBaseUrl}/.well-known/smart-configuration`);
    const config = (await response.json()) as Record<string, unknown>;
    expect(config).toMatchObject({
      issuer: harness.issuer,
      jwks_uri: `${harness.issuer}/jwks`,
      authorization_endpoint: `${harness.issuer}/authorize`,
      token_endpoint: `${harness.issuer}/token`,
      introspection_endpoint: `${harness.issuer}/introspect`,
      revocation_endpoint: `${harness.issuer}/revoke`,
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_signing_alg_values_supported: ['RS384', 'ES384'],
    });
    expect(config.grant_types_supported).toEqual(
      expect.arrayContaining(['authorization_code', 'client_credentials', 'refresh_token']),
    );
    expect(config.token_endpoint_auth_methods_supported).toContain('private_key_jwt');
    expect(config.scopes_supported).toEqual(
      expect.arrayContaining(['openid', 'fhirUser', 'launch', 'launch/patient', 'offline_access', 'patient/*.rs']),
    );
    expect(config.capabilities).toEqual(
      expect.arrayContaining([
        'launch-ehr',
        'launch-standalone',
        'client-public',
        'client-confidential-asymmetric',
        'context-ehr-patient',
        'context-standalone-patient',
        'permission-v1',
        'permission-v2',
        'permission-offline',
        'permission-patient',
        'permission-user',
        'sso-openid-connect',
        'context-banner',
        'context-style',
      ]),
    );
  });

  test('when the endpoints it names are called, then they exist (OIDC discovery and JWKS)', async () => {
    const oidc = (await (await fetch(`${harness.issuer}/.well-known/openid-configuration`)).json()) as {
      issuer: string;
      token_endpoint: string;
    };
    expect(oidc.issuer).toBe(harness.issuer);
    expect(oidc.token_endpoint).toBe(harness.tokenEndpoint);
    const jwks = (await (await fetch(`${harness.issuer}/jwks`)).json()) as { keys: { kty: string; d?: string }[] };
    expect(jwks.keys).toEqual([expect.objectContaining({ kty: 'RSA' })]);
    expect(jwks.keys[0]?.d).toBeUndefined();
  });
});

describe('EHR launch with fhirclient', () => {
  test('when Dr. Lee opens the app in María García’s chart, then the token carries the patient, fhirUser, banner and style', async () => {
    const launch = harness.auth.createLaunch({ user: 'dr-lee', patient: 'p0001' });
    const result = await ehrLaunch(launch);

    expect(result.patientId).toBe('p0001');
    // fhirclient reduces the ID token's absolute fhirUser to a relative reference.
    expect(result.fhirUser).toBe('Practitioner/dr-lee');
    expect(result.userType).toBe('Practitioner');
    expect(result.tokenResponse).toMatchObject({
      token_type: 'Bearer',
      patient: 'p0001',
      need_patient_banner: false,
      smart_style_url: `${harness.origin}/ehr/smart-style.json`,
    });
    const idToken = decodeJwt(String(result.tokenResponse.id_token));
    expect(idToken).toMatchObject({
      iss: harness.issuer,
      aud: CHARTTEXT_CLIENT_ID,
      sub: 'dr-lee',
      fhirUser: `${harness.fhirBaseUrl}/Practitioner/dr-lee`,
    });
    expect(String(result.tokenResponse.scope).split(' ')).toEqual(
      expect.arrayContaining(['launch', 'openid', 'fhirUser', 'patient/Communication.rs', 'offline_access']),
    );
  });

  test('when the access token reaches the FHIR server, then verifyAccessToken gives the Grant it needs', async () => {
    const result = await ehrLaunch(harness.auth.createLaunch({ user: 'dr-okafor', patient: 'p0002' }));
    const grant = await harness.auth.verifyAccessToken(String(result.tokenResponse.access_token));

    expect(grant).toMatchObject({
      clientId: CHARTTEXT_CLIENT_ID,
      patient: 'p0002',
      fhirUser: 'Practitioner/dr-okafor',
    });
    expect(Object.keys(grant ?? {}).sort()).toEqual(['clientId', 'expiresAt', 'fhirUser', 'patient', 'scopes']);
    expect(grant?.scopes).toEqual(
      expect.arrayContaining(['patient/Communication.rs', 'patient/Patient.rs', 'user/Practitioner.rs']),
    );
    expect(grant?.expiresAt).toBeGreaterThan(Date.now() / 1000);
    expect(await harness.auth.verifyAccessToken('not-a-token')).toBeUndefined();
    expect(await harness.auth.verifyAccessToken('')).toBeUndefined();
  });

  test('when the front desk opens the inbox (no patient), then no patient is granted and patient/ scopes are dropped', async () => {
    const result = await ehrLaunch(harness.auth.createLaunch({ user: 'fd-brooks', needPatientBanner: true }));

    expect(result.tokenResponse.patient).toBeUndefined();
    expect(result.tokenResponse.need_patient_banner).toBe(true);
    expect(result.fhirUser).toBe('Practitioner/fd-brooks');
    const scopes = String(result.tokenResponse.scope).split(' ');
    expect(scopes).toContain('user/Practitioner.rs');
    expect(scopes.filter((scope) => scope.startsWith('patient/'))).toEqual([]);
  });

  test('when the EHR switches users in the same browser, then each launch signs in its own user', async () => {
    const jar = new CookieJar();
    const first = await ehrLaunch(harness.auth.createLaunch({ user: 'dr-lee', patient: 'p0001' }), SCOPE, jar);
    const second = await ehrLaunch(harness.auth.createLaunch({ user: 'fd-brooks' }), SCOPE, jar);
    const third = await ehrLaunch(harness.auth.createLaunch({ user: 'fd-brooks', patient: 'p0026' }), SCOPE, jar);

    expect([first.fhirUser, second.fhirUser, third.fhirUser]).toEqual([
      'Practitioner/dr-lee',
      'Practitioner/fd-brooks',
      'Practitioner/fd-brooks',
    ]);
    expect([first.patientId, second.patientId, third.patientId]).toEqual(['p0001', null, 'p0026']);
    // The first user's token stays valid: tokens do not die with the browser's sign-in.
    expect(await harness.auth.verifyAccessToken(String(first.tokenResponse.access_token))).toMatchObject({
      fhirUser: 'Practitioner/dr-lee',
    });
  });

  test('when the app asks with v1 scopes, then they are granted as written', async () => {
    const result = await ehrLaunch(
      harness.auth.createLaunch({ user: 'dr-lee', patient: 'p0010' }),
      'launch openid fhirUser patient/Communication.read patient/Communication.write',
    );
    expect(String(result.tokenResponse.scope).split(' ')).toEqual(
      expect.arrayContaining(['patient/Communication.read', 'patient/Communication.write']),
    );
  });

  test('when offline_access was granted, then the refresh token gets a new access token with the same context', async () => {
    const result = await ehrLaunch(harness.auth.createLaunch({ user: 'dr-lee', patient: 'p0001' }));
    const refreshToken = String(result.tokenResponse.refresh_token);
    expect(refreshToken.length).toBeGreaterThan(20);

    const response = await fetch(harness.tokenEndpoint, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
        client_id: CHARTTEXT_CLIENT_ID,
      }),
    });
    const refreshed = (await response.json()) as Record<string, unknown>;
    expect(response.status).toBe(200);
    expect(refreshed).toMatchObject({ patient: 'p0001', need_patient_banner: false, token_type: 'Bearer' });
    expect(refreshed.access_token).not.toBe(result.tokenResponse.access_token);
    const grant = await harness.auth.verifyAccessToken(String(refreshed.access_token));
    expect(grant).toMatchObject({ patient: 'p0001', fhirUser: 'Practitioner/dr-lee' });
  });

  test('when the app revokes its token, then the FHIR server no longer accepts it', async () => {
    const result = await ehrLaunch(harness.auth.createLaunch({ user: 'dr-lee', patient: 'p0001' }));
    const token = String(result.tokenResponse.access_token);
    expect(await harness.auth.verifyAccessToken(token)).toBeDefined();

    const response = await fetch(`${harness.issuer}/revoke`, {
      method: 'POST',
      body: new URLSearchParams({ token, client_id: CHARTTEXT_CLIENT_ID }),
    });
    expect(response.status).toBe(200);
    expect(await harness.auth.verifyAccessToken(token)).toBeUndefined();
  });
});

describe('browser apps on another origin', () => {
  test('when the app calls the token endpoint from its own origin, then CORS lets it read the answer', async () => {
    const body = { grant_type: 'refresh_token', refresh_token: 'unknown', client_id: CHARTTEXT_CLIENT_ID };
    const fromApp = await fetch(harness.tokenEndpoint, {
      method: 'POST',
      headers: { origin: harness.origin },
      body: new URLSearchParams(body),
    });
    expect(fromApp.headers.get('access-control-allow-origin')).toBe(harness.origin);

    const fromElsewhere = await fetch(harness.tokenEndpoint, {
      method: 'POST',
      headers: { origin: 'https://evil.example' },
      body: new URLSearchParams(body),
    });
    expect(fromElsewhere.headers.get('access-control-allow-origin')).toBeNull();
    expect(await fromElsewhere.json()).toMatchObject({ error: 'invalid_request' });
  });
});

describe('authorization requests that must fail', () => {
  test('when a public client sends no PKCE challenge, then it is sent back with invalid_request', async () => {
    const back = await redirectBack(authorizeUrl({ code_challenge: undefined, code_challenge_method: undefined }));
    expect(back?.get('error')).toBe('invalid_request');
    expect(back?.get('error_description')).toMatch(/PKCE/);
    expect(back?.get('code')).toBeNull();
  });

  test('when aud is not the FHIR base, then it is sent back with invalid_request naming the FHIR base', async () => {
    const back = await redirectBack(authorizeUrl({ aud: 'https://evil.example/fhir' }));
    expect(back?.get('error')).toBe('invalid_request');
    expect(back?.get('error_description')).toContain(harness.fhirBaseUrl);
    expect(back?.get('code')).toBeNull();
  });

  test('when aud is missing, then it is sent back with invalid_request', async () => {
    const back = await redirectBack(authorizeUrl({ aud: undefined }));
    expect(back?.get('error')).toBe('invalid_request');
  });

  test('when the launch value is unknown, then it is sent back with invalid_request', async () => {
    const back = await redirectBack(authorizeUrl({ launch: 'made-up' }));
    expect(back?.get('error')).toBe('invalid_request');
    expect(back?.get('error_description')).toMatch(/launch/);
  });

  test('when a launch value is used a second time, then it is sent back with invalid_request', async () => {
    const launch = harness.auth.createLaunch({ user: 'dr-lee', patient: 'p0001' });
    expect((await ehrLaunch(launch)).patientId).toBe('p0001');
    const back = await redirectBack(authorizeUrl({ launch }));
    expect(back?.get('error')).toBe('invalid_request');
    expect(back?.get('error_description')).toMatch(/launch/);
    expect(back?.get('code')).toBeNull();
  });

  test('when an EHR launch does not request the launch scope, then it is sent back with invalid_scope', async () => {
    const back = await redirectBack(authorizeUrl({ scope: 'openid fhirUser patient/Communication.rs' }));
    expect(back?.get('error')).toBe('invalid_scope');
  });

  test('when the client is unknown, then an error page says invalid_client and nothing redirects', async () => {
    const { response } = await browse(authorizeUrl({ client_id: 'nobody' }), new CookieJar(), {
      init: { headers: { accept: 'text/html' } },
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
    expect(await response.text()).toContain('invalid_client');
  });

  test('when the redirect URI is not registered, then an error page is shown instead of a redirect', async () => {
    const { response } = await browse(
      authorizeUrl({ redirect_uri: 'https://evil.example/callback' }),
      new CookieJar(),
      {
        init: { headers: { accept: 'text/html' } },
      },
    );
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
    expect(await response.text()).toContain('invalid_redirect_uri');
  });

  test('when the code is exchanged without the PKCE verifier, then the token endpoint refuses it', async () => {
    const back = await redirectBack(authorizeUrl());
    const code = back?.get('code');
    expect(code).toBeTruthy();
    const response = await fetch(harness.tokenEndpoint, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: String(code),
        redirect_uri: `${harness.origin}/app/client/`,
        client_id: CHARTTEXT_CLIENT_ID,
      }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_grant' });
  });
});
