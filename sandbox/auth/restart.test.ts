/**
 * Tokens, refresh tokens, launches and the signing key live in the data folder: a sandbox restart keeps apps signed in.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { CHARTTEXT_CLIENT_ID, sandboxClients } from './clients';
import { browse, CookieJar, startAuthHarness, type AuthHarness } from './testHarness';

const dataDir = mkdtempSync(join(tmpdir(), 'charttext-auth-restart-'));
const running: AuthHarness[] = [];

afterAll(async () => {
  await Promise.all(running.map((harness) => harness.close()));
  rmSync(dataDir, { recursive: true, force: true });
});

async function start(port?: number): Promise<AuthHarness> {
  const harness = await startAuthHarness({
    dataDir,
    ...(port === undefined ? {} : { port }),
    clients: (origin) => sandboxClients({ appRedirectUris: [`${origin}/app/client/`], sandboxOrigin: origin }),
  });
  running.push(harness);
  return harness;
}

/** An EHR launch by hand: authorize (PKCE), then exchange the code. */
async function launchAndExchange(harness: AuthHarness, launch: string): Promise<Record<string, unknown>> {
  const verifier = randomBytes(32).toString('base64url');
  const redirectUri = `${harness.origin}/app/client/`;
  const url = new URL(`${harness.issuer}/authorize`);
  for (const [name, value] of Object.entries({
    response_type: 'code',
    client_id: CHARTTEXT_CLIENT_ID,
    redirect_uri: redirectUri,
    scope: 'launch openid fhirUser patient/Communication.rs offline_access',
    state: 's',
    aud: harness.fhirBaseUrl,
    launch,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  })) {
    url.searchParams.set(name, value);
  }
  const back = await browse(url.href, new CookieJar(), { stop: (next) => next.pathname === '/app/client/' });
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
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

test('when the sandbox restarts, then issued tokens, refresh tokens, launches and the signing key survive', async () => {
  const before = await start();
  const token = await launchAndExchange(before, before.auth.createLaunch({ user: 'dr-lee', patient: 'p0001' }));
  // An app start not yet made (single-use launches are used up by the first) and an open chart.
  const pending = before.auth.createLaunch({ user: 'dr-lee', patient: 'p0001' });
  const chart = before.auth.openChart({ user: 'dr-lee', patient: 'p0001' });
  const keysBefore: unknown = await (await fetch(`${before.issuer}/jwks`)).json();
  const port = Number(new URL(before.origin).port);
  await before.close();
  running.splice(running.indexOf(before), 1);

  const after = await start(port);
  expect(await after.auth.verifyAccessToken(String(token.access_token))).toMatchObject({
    patient: 'p0001',
    fhirUser: 'Practitioner/dr-lee',
  });
  expect(await (await fetch(`${after.issuer}/jwks`)).json()).toEqual(keysBefore);
  expect(after.auth.readLaunch(pending)).toEqual({ user: 'dr-lee', patient: 'p0001' });
  expect(after.auth.readChart(chart)).toEqual({ user: 'dr-lee', patient: 'p0001' });

  const refreshed = await fetch(after.tokenEndpoint, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: String(token.refresh_token),
      client_id: CHARTTEXT_CLIENT_ID,
    }),
  });
  expect(refreshed.status).toBe(200);
  expect(await refreshed.json()).toMatchObject({ patient: 'p0001' });
});
