/**
 * SMART Backend Services: the relay gets a system/ token with a signed client assertion (private_key_jwt), and every
 * way an assertion can be wrong is refused with invalid_client.
 */
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { RELAY_CLIENT_ID, sandboxClients, type SandboxClient } from './clients';
import { startAuthHarness, type AuthHarness } from './testHarness';

const BY_URL_CLIENT_ID = 'relay-with-jwks-url';

interface SigningKey {
  alg: 'RS384' | 'ES384';
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

async function signingKey(alg: SigningKey['alg']): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const kid = randomUUID();
  return { alg, kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

let harness: AuthHarness;
let rs384: SigningKey;
let es384: SigningKey;
let jwksFetches = 0;

beforeAll(async () => {
  rs384 = await signingKey('RS384');
  es384 = await signingKey('ES384');
  harness = await startAuthHarness({
    clients: (origin): SandboxClient[] => [
      ...sandboxClients({ sandboxOrigin: origin, relayKeys: { jwks: { keys: [rs384.publicJwk, es384.publicJwk] } } }),
      {
        kind: 'backend-services',
        clientId: BY_URL_CLIENT_ID,
        name: 'Relay with a JWKS URL',
        keys: { jwksUri: `${origin}/relay/.well-known/jwks.json` },
        scope: 'system/Communication.cruds',
      },
    ],
    mount: (app) => {
      app.get('/relay/.well-known/jwks.json', (_req, res) => {
        jwksFetches += 1;
        res.json({ keys: [es384.publicJwk] });
      });
    },
  });
});

afterAll(async () => {
  await harness.close();
});

/** A client assertion as SMART Backend Services describes it, with overrides to break it. */
async function assertion(
  key: SigningKey,
  overrides: { clientId?: string; aud?: string; expiresIn?: number; jti?: string; kid?: string } = {},
): Promise<string> {
  const clientId = overrides.clientId ?? RELAY_CLIENT_ID;
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: key.alg, kid: overrides.kid ?? key.kid, typ: 'JWT' })
    .setIssuer(clientId)
    .setSubject(clientId)
    .setAudience(overrides.aud ?? harness.tokenEndpoint)
    .setJti(overrides.jti ?? randomUUID())
    .setIssuedAt(now)
    .setExpirationTime(now + (overrides.expiresIn ?? 240))
    .sign(key.privateKey);
}

async function requestToken(
  clientAssertion: string,
  scope = 'system/Communication.cruds system/Patient.rs',
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(harness.tokenEndpoint, {
    method: 'POST',
    headers: { accept: 'application/json' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      scope,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: clientAssertion,
    }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('backend services token', () => {
  test.each(['RS384', 'ES384'] as const)(
    'when the relay signs a good assertion with %s, then it gets a short-lived system/ token',
    async (alg) => {
      const { status, body } = await requestToken(await assertion(alg === 'RS384' ? rs384 : es384));

      expect(status).toBe(200);
      expect(body).toMatchObject({ token_type: 'Bearer', scope: 'system/Communication.cruds system/Patient.rs' });
      expect(body.expires_in).toBeLessThanOrEqual(300);
      expect(body.refresh_token).toBeUndefined();
      expect(body.patient).toBeUndefined();
      const grant = await harness.auth.verifyAccessToken(String(body.access_token));
      expect(grant).toMatchObject({
        clientId: RELAY_CLIENT_ID,
        scopes: ['system/Communication.cruds', 'system/Patient.rs'],
      });
      expect(grant?.patient).toBeUndefined();
      expect(grant?.fhirUser).toBeUndefined();
    },
  );

  test('when the client keys come from a JWKS URL, then they are fetched and cached briefly', async () => {
    const before = jwksFetches;
    const first = await requestToken(await assertion(es384, { clientId: BY_URL_CLIENT_ID }), 'system/Communication.rs');
    const second = await requestToken(
      await assertion(es384, { clientId: BY_URL_CLIENT_ID }),
      'system/Communication.rs',
    );

    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(jwksFetches - before).toBe(1);
  });

  test('when it asks for more than it is registered for, then only the registered scopes are granted', async () => {
    const { status, body } = await requestToken(
      await assertion(es384, { clientId: BY_URL_CLIENT_ID }),
      'system/Communication.rs system/Patient.rs',
    );
    expect(status).toBe(200);
    expect(body.scope).toBe('system/Communication.rs');
  });
});

describe('backend services refusals', () => {
  test('when the assertion is signed by another key, then invalid_client', async () => {
    const impostor = await signingKey('RS384');
    const { status, body } = await requestToken(await assertion(impostor, { kid: rs384.kid }));
    expect(status).toBe(401);
    expect(body.error).toBe('invalid_client');
  });

  test('when exp is more than five minutes ahead, then invalid_client saying so', async () => {
    const { status, body } = await requestToken(await assertion(rs384, { expiresIn: 10 * 60 }));
    expect(status).toBe(401);
    expect(body).toMatchObject({ error: 'invalid_client' });
    expect(body.error_description).toMatch(/five minutes/);
  });

  test('when a jti is replayed, then the second use is refused', async () => {
    const jti = randomUUID();
    const first = await requestToken(await assertion(es384, { jti }));
    const replay = await requestToken(await assertion(es384, { jti }));
    expect(first.status).toBe(200);
    expect(replay.status).toBe(401);
    expect(replay.body.error).toBe('invalid_client');
    expect(replay.body.error_description).toMatch(/only be used once/);
  });

  test('when aud is the issuer rather than the token endpoint, then invalid_client naming the token endpoint', async () => {
    const { status, body } = await requestToken(await assertion(rs384, { aud: harness.issuer }));
    expect(status).toBe(401);
    expect(body.error_description).toContain(harness.tokenEndpoint);
  });

  test('when aud is some other URL, then invalid_client', async () => {
    const { status, body } = await requestToken(await assertion(rs384, { aud: 'https://evil.example/token' }));
    expect(status).toBe(401);
    expect(body.error).toBe('invalid_client');
  });

  test('when it asks for patient/ or user/ scopes, then invalid_scope', async () => {
    const { status, body } = await requestToken(await assertion(rs384), 'patient/Communication.rs');
    expect(status).toBe(400);
    expect(body).toMatchObject({ error: 'invalid_scope' });
  });

  test('when it asks for nothing it may have, then invalid_scope', async () => {
    const { status, body } = await requestToken(await assertion(rs384), 'system/Communication.rsx');
    expect(status).toBe(400);
    expect(body.error).toBe('invalid_scope');
  });

  test('when a public client tries client_credentials, then it is refused', async () => {
    const response = await fetch(harness.tokenEndpoint, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'charttext', scope: 'system/*.rs' }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: 'invalid_request',
      error_description: 'requested grant type is not allowed for this client',
    });
  });
});
