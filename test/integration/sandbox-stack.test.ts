/**
 * The composed stack (scripts/stack.ts) on real HTTP: tokens from the sandbox's authorization server are enforced by
 * its FHIR server; the relay gets a backend-services token with the key it serves at its JWKS URL; data written
 * through the API survives a restart of the whole stack.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Bundle, Communication, OperationOutcome } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CONCEPTS, TOKENS } from '../../fhir-profiles/vocabulary';
import { CHARTTEXT_CLIENT_ID } from '../../sandbox/auth/clients';
import { browse, CookieJar } from '../../sandbox/auth/testHarness';
import { SPECIAL_PATIENTS } from '../../sandbox/seed';
import { startStack, type Stack } from '../../scripts/stack';

const SCOPE = 'launch openid fhirUser patient/Communication.crs patient/Patient.rs';

let dataDir: string;
let stack: Stack;

/** Runs an EHR launch's authorization-code flow with PKCE for `patient` and returns the access token. */
async function userToken(patient: string): Promise<string> {
  const verifier = randomBytes(32).toString('base64url');
  const redirectUri = `${stack.appUrl}/client/`;
  const authorize = new URL(`${stack.sandboxUrl}/auth/authorize`);
  const params = {
    response_type: 'code',
    client_id: CHARTTEXT_CLIENT_ID,
    redirect_uri: redirectUri,
    scope: SCOPE,
    state: randomBytes(8).toString('hex'),
    aud: stack.fhirBaseUrl,
    launch: stack.sandbox.auth.createLaunch({ user: 'dr-lee', patient }),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  };
  for (const [name, value] of Object.entries(params)) authorize.searchParams.set(name, value);
  const { url } = await browse(authorize.href, new CookieJar(), { stop: (next) => next.href.startsWith(redirectUri) });
  const code = url.searchParams.get('code');
  expect(code, `no code in ${url.pathname}?${url.searchParams.toString()}`).toBeTruthy();
  const response = await fetch(`${stack.sandboxUrl}/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: code ?? '',
      redirect_uri: redirectUri,
      client_id: CHARTTEXT_CLIENT_ID,
      code_verifier: verifier,
    }),
  });
  const body = (await response.json()) as { access_token: string; patient: string };
  expect(body.patient).toBe(patient);
  return body.access_token;
}

const fhirGet = (pathAndQuery: string, token?: string): Promise<Response> =>
  fetch(`${stack.fhirBaseUrl}/${pathAndQuery}`, {
    headers: { accept: 'application/fhir+json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
  });

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'charttext-stack-'));
  stack = await startStack({ dataDir, web: 'none', startRelay: false, relayEnv: { LOG_LEVEL: 'silent' } });
});

afterAll(async () => {
  await stack.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the sandbox FHIR server behind the sandbox authorization server', () => {
  test('when a request has no token, then it gets 401 and an OperationOutcome', async () => {
    const response = await fhirGet(`Patient/${SPECIAL_PATIENTS.longThread}`);
    expect(response.status).toBe(401);
    expect(((await response.json()) as OperationOutcome).resourceType).toBe('OperationOutcome');
  });

  test('when a clinician launches for a patient, then the token reads that patient’s thread and no one else’s', async () => {
    const token = await userToken(SPECIAL_PATIENTS.longThread);
    const own = await fhirGet(
      `Communication?subject=Patient/${SPECIAL_PATIENTS.longThread}&medium=${encodeURIComponent(TOKENS.smsMedium)}&_count=5`,
      token,
    );
    expect(own.status).toBe(200);
    const bundle = (await own.json()) as Bundle<Communication>;
    expect(bundle.total).toBeGreaterThanOrEqual(2000);

    const other = await fhirGet(`Patient/${SPECIAL_PATIENTS.optedOut}`, token);
    expect([403, 404]).toContain(other.status);

    const practitioners = await fhirGet('Practitioner', token);
    expect(practitioners.status).toBe(403);
    expect(JSON.stringify(await practitioners.json())).toMatch(/Practitioner/);
  });

  test('when the relay asks for readiness, then it has obtained a backend-services token with its served key', async () => {
    const response = await fetch(`${stack.appUrl}/readyz`);
    const body = (await response.json()) as { status: string; checks: Record<string, string> };
    expect(body).toMatchObject({ status: 'pass' });
    expect(response.status).toBe(200);
  });
});

describe('persistence', () => {
  test('when the stack restarts on the same folder, then what was written is still there', async () => {
    const token = await userToken(SPECIAL_PATIENTS.longThread);
    const created = await fetch(`${stack.fhirBaseUrl}/Communication`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' },
      body: JSON.stringify({
        resourceType: 'Communication',
        status: 'preparation',
        medium: [CONCEPTS.smsMedium],
        subject: { reference: `Patient/${SPECIAL_PATIENTS.longThread}` },
        recipient: [{ reference: `Patient/${SPECIAL_PATIENTS.longThread}` }],
        payload: [{ contentString: 'Survives a restart' }],
      } satisfies Communication),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as Communication;

    await stack.close();
    stack = await startStack({ dataDir, web: 'none', startRelay: false, relayEnv: { LOG_LEVEL: 'silent' } });

    const again = await userToken(SPECIAL_PATIENTS.longThread);
    const read = await fhirGet(`Communication/${id}`, again);
    expect(read.status).toBe(200);
    expect(((await read.json()) as Communication).payload?.[0]?.contentString).toBe('Survives a restart');
  });
});
