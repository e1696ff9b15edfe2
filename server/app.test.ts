import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Communication } from '@medplum/fhirtypes';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { TOKENS } from '../fhir-profiles/vocabulary';
import { createFakeSmsGateway, fakeSid } from '../test/integration/relay-support/fakeSmsGateway';
import { createMemoryFhirStore } from '../test/integration/relay-support/memoryFhirStore';
import { createApp, type RelayApp } from './app';
import { parseRelayConfig, type RelayConfig } from './config';
import { createLogger } from './createLogger';
import { matches } from './relay/fhirStore';

const ACCOUNT_SID = `AC${'1'.repeat(32)}`;
const AUTH_TOKEN = 'test-auth-token-0123456789';
const key = generateKeyPairSync('ec', { namedCurve: 'P-384' })
  .privateKey.export({ format: 'pem', type: 'pkcs8' })
  .toString();

let server: Server;
let origin: string;
let relay: RelayApp;
let config: RelayConfig;
const fhir = createMemoryFhirStore();
const sms = createFakeSmsGateway('+12015550100');

beforeAll(async () => {
  server = await new Promise<Server>((resolve) => {
    const listening = createServer().listen(0, '127.0.0.1', () => resolve(listening));
  });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  config = parseRelayConfig({
    FHIR_BASE_URL: 'http://127.0.0.1:1/fhir',
    RELAY_CLIENT_ID: 'charttext-relay',
    RELAY_PRIVATE_KEY: key,
    TWILIO_ACCOUNT_SID: ACCOUNT_SID,
    TWILIO_AUTH_TOKEN: AUTH_TOKEN,
    TWILIO_FROM_NUMBER: '+12015550100',
    PUBLIC_BASE_URL: origin,
    PRACTICE_ORGANIZATION: 'Organization/practice',
    KEYWORD_REPLIES: 'relay',
    PRACTICE_NAME: 'Riverside Family Medicine',
    NUDGE_RATE_LIMIT_PER_MINUTE: '3',
    LOG_LEVEL: 'silent',
  });
  relay = createApp({ config, fhir, sms, logger: createLogger('silent') });
  server.on('request', relay.app);
});

afterAll(async () => {
  await relay.stop();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function signedPost(
  path: string,
  params: Record<string, string>,
  options: { signature?: string | null } = {},
): Promise<Response> {
  const url = `${origin}${path}`;
  const signature =
    options.signature === undefined ? twilio.getExpectedTwilioSignature(AUTH_TOKEN, url, params) : options.signature;
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(signature ? { 'x-twilio-signature': signature } : {}),
    },
    body: new URLSearchParams(params),
  });
}

const inboundForm = (sid: string, body: string): Record<string, string> => ({
  MessageSid: sid,
  AccountSid: ACCOUNT_SID,
  From: '+12015550199',
  To: '+12015550100',
  Body: body,
  NumMedia: '0',
});

async function communicationsWithSid(sid: string): Promise<Communication[]> {
  return matches<Communication>(
    await fhir.search('Communication', { identifier: TOKENS.twilioSid(sid) }),
    'Communication',
  );
}

describe('webhook signatures', () => {
  test.each<[string, string | null]>([
    ['missing', null],
    ['forged', 'bm90IGEgc2lnbmF0dXJl'],
  ])('when the signature is %s, then the inbound webhook gets 403 and nothing is written', async (_name, signature) => {
    const sid = fakeSid();
    const response = await signedPost('/twilio/inbound', inboundForm(sid, 'hi'), { signature });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ resourceType: 'OperationOutcome' });
    expect(await communicationsWithSid(sid)).toEqual([]);
  });

  test('when a signed body is altered, then it gets 403', async () => {
    const sid = fakeSid();
    const form = inboundForm(sid, 'original');
    const signature = twilio.getExpectedTwilioSignature(AUTH_TOKEN, `${origin}/twilio/inbound`, form);
    const response = await signedPost('/twilio/inbound', { ...form, Body: 'altered' }, { signature });
    expect(response.status).toBe(403);
    expect(await communicationsWithSid(sid)).toEqual([]);
  });

  test('when a status callback is signed for another URL query, then it gets 403', async () => {
    const form = { MessageSid: fakeSid(), MessageStatus: 'delivered', AccountSid: ACCOUNT_SID };
    const signature = twilio.getExpectedTwilioSignature(AUTH_TOKEN, `${origin}/twilio/status?c=a`, form);
    const response = await signedPost('/twilio/status?c=b', form, { signature });
    expect(response.status).toBe(403);
  });

  test('when the signature is right but the account is another, then it gets 403', async () => {
    const sid = fakeSid();
    const response = await signedPost('/twilio/inbound', {
      ...inboundForm(sid, 'hi'),
      AccountSid: `AC${'2'.repeat(32)}`,
    });
    expect(response.status).toBe(403);
    expect(await communicationsWithSid(sid)).toEqual([]);
  });
});

describe('inbound webhook', () => {
  test('when a signed inbound arrives, then Twilio gets empty TwiML and the EHR has the message', async () => {
    const sid = fakeSid();
    const response = await signedPost('/twilio/inbound', inboundForm(sid, 'hello'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/xml/);
    expect(await response.text()).toMatch(/<Response\/>/);
    expect(await communicationsWithSid(sid)).toHaveLength(1);
  });

  test('when the message is STOP and the relay answers keywords, then the TwiML reply names the practice', async () => {
    const response = await signedPost('/twilio/inbound', inboundForm(fakeSid(), 'STOP'));
    expect(await response.text()).toMatch(/<Message>Riverside Family Medicine: you are unsubscribed/);
  });

  test('when the form is malformed, then 400 says which field', async () => {
    const response = await signedPost('/twilio/inbound', { ...inboundForm('SM1', 'x') });
    expect(response.status).toBe(400);
    expect(JSON.stringify(await response.json())).toMatch(/MessageSid/);
  });

  test.each(['12345', 'PHARMACY', '555-1234'])(
    'when the sender %s is not a phone number, then 400 says so and nothing is written',
    async (from) => {
      const sid = fakeSid();
      const response = await signedPost('/twilio/inbound', { ...inboundForm(sid, 'hi'), From: from });
      expect(response.status).toBe(400);
      expect(JSON.stringify(await response.json())).toMatch(/From and To must be phone numbers/);
      expect(await communicationsWithSid(sid)).toEqual([]);
    },
  );

  test('when the sender is written without its country code, then the message is filed under the E.164 number', async () => {
    const sid = fakeSid();
    const response = await signedPost('/twilio/inbound', { ...inboundForm(sid, 'hi'), From: '(201) 555-0199' });
    expect(response.status).toBe(200);
    const [filed] = await communicationsWithSid(sid);
    expect(JSON.stringify(filed?.extension)).toContain('"+12015550199"');
  });

  test('when the body is oversized, then 413', async () => {
    const response = await signedPost('/twilio/inbound', inboundForm(fakeSid(), 'x'.repeat(70_000)));
    expect(response.status).toBe(413);
  });
});

describe('nudge, health, JWKS', () => {
  test('a nudge is accepted with 202 and rate-limited after the configured count', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await fetch(`${origin}/api/outbox/nudge`, { method: 'POST' })).status);
    expect(statuses).toEqual([202, 202, 202, 429]);
  });

  test('a Subscription notification without the relay’s secret is refused', async () => {
    const response = await fetch(`${origin}/api/outbox/notify`, {
      method: 'POST',
      headers: { authorization: 'Bearer guess' },
    });
    expect(response.status).toBe(401);
  });

  test('healthz is up; readyz reports its checks', async () => {
    expect((await fetch(`${origin}/healthz`)).status).toBe(200);
    const ready = await fetch(`${origin}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'pass', checks: { ehr: 'pass', token: 'pass', twilio: 'pass' } });
    fhir.down = true;
    const notReady = await fetch(`${origin}/readyz`);
    fhir.down = false;
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toMatchObject({ status: 'fail', checks: { ehr: 'fail' } });
  });

  test('the JWKS publishes the public key only', async () => {
    const jwks = (await (await fetch(`${origin}/.well-known/jwks.json`)).json()) as { keys: Record<string, unknown>[] };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({
      kty: 'EC',
      crv: 'P-384',
      alg: 'ES384',
      use: 'sig',
      kid: config.signingKey.kid,
    });
    expect(jwks.keys[0]).not.toHaveProperty('d');
  });
});
