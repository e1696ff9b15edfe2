/**
 * Standalone launch: the app starts on its own (no `launch`), the sandbox shows its sign-in, with a patient picker
 * when the app asked for `launch/patient`. Driven with the real fhirclient library like the EHR launch.
 */
import { createHash, randomBytes } from 'node:crypto';
import smart from 'fhirclient';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CHARTTEXT_CLIENT_ID, sandboxClients } from './clients';
import { browse, CookieJar, startAuthHarness, type AuthHarness, type Landing } from './testHarness';

let harness: AuthHarness;

beforeAll(async () => {
  harness = await startAuthHarness({
    clients: (origin) => sandboxClients({ appRedirectUris: [`${origin}/app/client/`], sandboxOrigin: origin }),
    mount: (app) => {
      const stored = new Map<string, unknown>();
      const storage = {
        get: (key: string) => Promise.resolve(stored.get(key)),
        set: (key: string, value: unknown) => Promise.resolve(stored.set(key, value) && value),
        unset: (key: string) => Promise.resolve(stored.delete(key)),
      };
      app.get('/app/launch', (req, res, next) => {
        smart(req, res, storage)
          .authorize({
            clientId: CHARTTEXT_CLIENT_ID,
            scope: typeof req.query.scope === 'string' ? req.query.scope : '',
            redirectUri: '/app/client/',
          })
          .catch(next);
      });
      app.get('/app/client/', (req, res, next) => {
        smart(req, res, storage)
          .ready()
          .then((client) => res.json(client.state.tokenResponse))
          .catch(next);
      });
    },
  });
});

afterAll(async () => {
  await harness.close();
});

/** Opens the app standalone with `scope`; returns the sign-in page the browser lands on. */
async function openStandalone(scope: string, jar: CookieJar): Promise<{ landing: Landing; page: string }> {
  const url = new URL('/app/launch', harness.origin);
  url.searchParams.set('iss', harness.fhirBaseUrl);
  url.searchParams.set('scope', scope);
  const landing = await browse(url.href, jar);
  return { landing, page: await landing.response.text() };
}

/** Submits the sign-in form (or its cancel button) as a browser would. */
async function submit(page: string, fields: Record<string, string>, jar: CookieJar, cancel = false): Promise<Landing> {
  const action = /<form method="post" action="([^"]+)"/.exec(page)?.[1];
  const cancelAction = /formaction="([^"]+)"/.exec(page)?.[1];
  expect(action).toBeDefined();
  return browse(new URL(String(cancel ? cancelAction : action), harness.origin).href, jar, {
    init: { method: 'POST', body: new URLSearchParams(fields) },
    stop: (next) => next.pathname === '/app/client/' && next.searchParams.has('error'),
  });
}

describe('standalone launch', () => {
  test('when the app asks for launch/patient, then the sign-in offers staff and a patient picker, and the token carries the pick', async () => {
    const jar = new CookieJar();
    const { landing, page } = await openStandalone(
      'launch/patient openid fhirUser patient/Communication.rs offline_access',
      jar,
    );
    expect(landing.url.pathname).toMatch(/^\/auth\/interaction\//);
    expect(landing.response.status).toBe(200);
    expect(page).toContain('Sign in to continue to ChartText');
    expect(page).toContain('Dr. Dana Lee');
    expect(page).toContain('Jordan Brooks');
    expect(page).toContain('García, María · born 1968-04-12 · MRN RF100001');

    const back = await submit(page, { user: 'np-silva', patient: 'p0008' }, jar);
    expect(back.url.pathname).toBe('/app/client/');
    const token = (await back.response.json()) as Record<string, unknown>;
    expect(token).toMatchObject({ patient: 'p0008', need_patient_banner: true });
    expect(typeof token.refresh_token).toBe('string');
    const grant = await harness.auth.verifyAccessToken(String(token.access_token));
    expect(grant).toMatchObject({ patient: 'p0008', fhirUser: 'Practitioner/np-silva' });
  });

  test('when no patient is picked, then the sign-in asks again', async () => {
    const jar = new CookieJar();
    const { page } = await openStandalone('launch/patient openid fhirUser patient/Communication.rs', jar);
    const again = await submit(page, { user: 'dr-lee', patient: '' }, jar);
    expect(again.response.status).toBe(400);
    expect(await again.response.text()).toContain('Choose a patient.');
  });

  test('when the app does not ask for a patient (practice inbox), then there is no picker and no patient', async () => {
    const jar = new CookieJar();
    const { page } = await openStandalone(
      'openid fhirUser user/Communication.rs patient/Patient.rs online_access',
      jar,
    );
    expect(page).not.toContain('<select name="patient"');

    const back = await submit(page, { user: 'fd-brooks' }, jar);
    const token = (await back.response.json()) as Record<string, unknown>;
    expect(token.patient).toBeUndefined();
    expect(String(token.scope).split(' ')).toEqual(['openid', 'fhirUser', 'user/Communication.rs', 'online_access']);
    // online_access also earns a refresh token (SMART permission-online).
    expect(typeof token.refresh_token).toBe('string');
    expect(await harness.auth.verifyAccessToken(String(token.access_token))).toMatchObject({
      fhirUser: 'Practitioner/fd-brooks',
    });
  });

  test('when the user cancels, then the app gets access_denied', async () => {
    const jar = new CookieJar();
    const { page } = await openStandalone('launch/patient openid fhirUser patient/Communication.rs', jar);
    const back = await submit(page, {}, jar, true);
    expect(back.url.pathname).toBe('/app/client/');
    expect(back.url.searchParams.get('error')).toBe('access_denied');
  });

  test('when a standalone request carries the launch scope, then it is sent back with invalid_scope', async () => {
    const url = new URL('/app/launch', harness.origin);
    url.searchParams.set('iss', harness.fhirBaseUrl);
    url.searchParams.set('scope', 'launch openid fhirUser patient/Communication.rs');
    const back = await browse(url.href, new CookieJar(), { stop: (next) => next.pathname === '/app/client/' });
    expect(back.url.searchParams.get('error')).toBe('invalid_scope');
    expect(back.url.searchParams.get('code')).toBeNull();
  });
});

describe('authorize-post', () => {
  test('when the authorization request is POSTed with offline_access, then it works like GET and issues a refresh token', async () => {
    const jar = new CookieJar();
    const verifier = randomBytes(32).toString('base64url');
    const redirectUri = `${harness.origin}/app/client/`;
    const signIn = await browse(`${harness.issuer}/authorize`, jar, {
      init: {
        method: 'POST',
        body: new URLSearchParams({
          response_type: 'code',
          client_id: CHARTTEXT_CLIENT_ID,
          redirect_uri: redirectUri,
          scope: 'launch/patient openid fhirUser patient/Communication.rs offline_access',
          state: 'posted',
          aud: harness.fhirBaseUrl,
          code_challenge: createHash('sha256').update(verifier).digest('base64url'),
          code_challenge_method: 'S256',
        }),
      },
    });
    const page = await signIn.response.text();
    const action = /<form method="post" action="([^"]+)"/.exec(page)?.[1];
    const back = await browse(new URL(String(action), harness.origin).href, jar, {
      init: { method: 'POST', body: new URLSearchParams({ user: 'dr-lee', patient: 'p0001' }) },
      stop: (next) => next.pathname === '/app/client/',
    });
    expect(back.url.searchParams.get('state')).toBe('posted');

    const response = await fetch(harness.tokenEndpoint, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: String(back.url.searchParams.get('code')),
        redirect_uri: redirectUri,
        client_id: CHARTTEXT_CLIENT_ID,
        code_verifier: verifier,
      }),
    });
    const token = (await response.json()) as Record<string, unknown>;
    expect(response.status).toBe(200);
    expect(token).toMatchObject({ patient: 'p0001', need_patient_banner: true });
    expect(typeof token.refresh_token).toBe('string');
    expect(String(token.scope).split(' ')).toContain('offline_access');
  });
});
