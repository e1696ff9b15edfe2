import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import type twilio from 'twilio';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { PRACTICE } from '../seed/roster';
import { startFakeRelay, type FakeRelay, type ReceivedWebhook } from './fakeRelay';
import { DEFAULT_KEYWORD_REPLIES } from './optOutKeywords';
import { startPhoneSimulator, type RunningPhoneSimulator } from './startPhoneSimulator';

const ACCOUNT_SID = 'AC' + randomBytes(16).toString('hex');
const AUTH_TOKEN = randomBytes(16).toString('hex');
const MARIA = '+12015550123';
const EVELYN_LANDLINE = '+12015550125';
const GRACE = '+12015550129';
/** A loopback URL nothing listens on (a port that was free a moment ago): connections are refused. */
let DEAD_URL: string;

async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/twilio/inbound`;
}

let relay: FakeRelay;
let running: RunningPhoneSimulator;
let client: twilio.Twilio;

beforeAll(async () => {
  DEAD_URL = await closedPortUrl();
  relay = await startFakeRelay(AUTH_TOKEN);
  running = await startPhoneSimulator({
    accountSid: ACCOUNT_SID,
    authToken: AUTH_TOKEN,
    inboundWebhookUrl: relay.url('/twilio/inbound'),
    timing: { sentAfterMs: 0, finalAfterMs: 0 },
  });
  client = running.twilioClient();
});

afterEach(async () => {
  await running.simulator.settled();
  running.simulator.reset();
  relay.received.length = 0;
  relay.answer('/twilio/inbound', { status: 200 });
});

afterAll(async () => {
  await running.close();
  await relay.close();
});

const statusesOf = (sid: string) => (webhook: ReceivedWebhook) =>
  webhook.path === '/twilio/status' && webhook.params.MessageSid === sid;

describe('status callbacks', () => {
  test('when a text is delivered, then queued, sent and delivered arrive in order, each signed', async () => {
    const { sid } = await client.messages.create({
      to: MARIA,
      from: PRACTICE.smsNumber,
      body: 'See you Tuesday',
      statusCallback: relay.url('/twilio/status'),
    });

    const callbacks = await relay.waitFor(statusesOf(sid), 3);
    expect(callbacks.map((callback) => callback.params.MessageStatus)).toEqual(['queued', 'sent', 'delivered']);
    expect(callbacks.every((callback) => callback.signatureValid)).toBe(true);
    for (const callback of callbacks) {
      expect(callback.params).toMatchObject({
        AccountSid: ACCOUNT_SID,
        ApiVersion: '2010-04-01',
        From: PRACTICE.smsNumber,
        To: MARIA,
        MessageSid: sid,
        SmsSid: sid,
        SmsStatus: callback.params.MessageStatus,
      });
      expect(callback.params.ErrorCode).toBeUndefined();
    }
    expect(callbacks[2]?.params.RawDlrDoneDate).toMatch(/^\d{10}$/);
    expect(new Set(callbacks.map((callback) => callback.idempotencyToken)).size).toBe(3);
  });

  test('when the patient has only a landline, then the text ends undelivered with 30006 in the callback and the log', async () => {
    const { sid } = await client.messages.create({
      to: EVELYN_LANDLINE,
      from: PRACTICE.smsNumber,
      body: 'Lab results are ready',
      statusCallback: relay.url('/twilio/status'),
    });

    const callbacks = await relay.waitFor(statusesOf(sid), 3);
    expect(callbacks.map((callback) => [callback.params.MessageStatus, callback.params.ErrorCode])).toEqual([
      ['queued', undefined],
      ['sent', undefined],
      ['undelivered', '30006'],
    ]);
    const fetched = await client.messages(sid).fetch();
    expect(fetched).toMatchObject({
      status: 'undelivered',
      errorCode: 30006,
      errorMessage: 'Landline or unreachable carrier',
    });
  });

  test('when callbacks are held and released in reverse, then they arrive out of order while the log is final', async () => {
    running.simulator.callbacks.pause();
    const { sid } = await client.messages.create({
      to: MARIA,
      from: PRACTICE.smsNumber,
      body: 'Out of order',
      statusCallback: relay.url('/twilio/status'),
    });
    await running.simulator.waitForMessage({ sid, status: 'delivered' });
    expect(relay.received).toHaveLength(0);
    expect(running.simulator.callbacks.held()).toBe(3);

    await running.simulator.callbacks.resume('reverse');
    const callbacks = await relay.waitFor(statusesOf(sid), 3);
    expect(callbacks.map((callback) => callback.params.MessageStatus)).toEqual(['delivered', 'sent', 'queued']);
  });
});

describe('inbound texts', () => {
  test('when webhooks are held, then the text is already in the log and reaches the relay on release', async () => {
    running.simulator.callbacks.pause();
    const pending = running.simulator.sendInbound({ from: MARIA, body: 'Held for a moment' });
    await running.simulator.settled();
    expect(running.simulator.countMessages({ from: MARIA, direction: 'inbound', status: 'received' })).toBe(1);
    expect(relay.received).toHaveLength(0);

    await running.simulator.callbacks.resume();
    expect((await pending).webhook?.ok).toBe(true);
    expect(relay.received.map((webhook) => webhook.params.Body)).toEqual(['Held for a moment']);
  });

  test('when a patient texts a picture, then the relay gets a signed webhook with Twilio fields and can fetch the media', async () => {
    const { message, webhook } = await running.simulator.sendInbound({
      from: '201.555.0129',
      body: 'Is this rash ok?',
      media: ['rash.png'],
    });
    expect(webhook?.ok).toBe(true);

    const [received] = await relay.waitFor((candidate) => candidate.path === '/twilio/inbound');
    expect(received?.signatureValid).toBe(true);
    expect(received?.params).toMatchObject({
      MessageSid: message.sid,
      SmsSid: message.sid,
      SmsMessageSid: message.sid,
      AccountSid: ACCOUNT_SID,
      From: GRACE,
      To: PRACTICE.smsNumber,
      Body: 'Is this rash ok?',
      NumMedia: '1',
      NumSegments: '1',
      SmsStatus: 'received',
      ApiVersion: '2010-04-01',
      MediaContentType0: 'image/png',
      FromCountry: 'US',
    });
    expect(message.sid).toMatch(/^MM[0-9a-f]{32}$/);

    const mediaUrl = received?.params.MediaUrl0 ?? '';
    expect(
      mediaUrl.startsWith(
        `${running.simulator.apiBaseUrl}/2010-04-01/Accounts/${ACCOUNT_SID}/Messages/${message.sid}/Media/ME`,
      ),
    ).toBe(true);
    const withAuth = await fetch(mediaUrl, {
      headers: { Authorization: 'Basic ' + Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64') },
    });
    expect(withAuth.status).toBe(200);
    expect(withAuth.headers.get('content-type')).toBe('image/png');
    expect(
      Buffer.from(await withAuth.arrayBuffer())
        .subarray(1, 4)
        .toString('ascii'),
    ).toBe('PNG');
    expect((await fetch(mediaUrl)).status).toBe(401);

    const listed = await client.messages.list({ from: GRACE });
    expect(listed.map((listedMessage) => [listedMessage.sid, listedMessage.direction, listedMessage.status])).toEqual([
      [message.sid, 'inbound', 'received'],
    ]);
  });

  test('when a sample picture is named without its extension, then it is still attached', async () => {
    const { message } = await running.simulator.sendInbound({ from: MARIA, body: '', media: ['pill-bottle'] });
    expect(message.media.map((media) => [media.contentType, media.source])).toEqual([
      ['image/png', { kind: 'sample', name: 'pill-bottle.png' }],
    ]);
  });

  test('when the relay is down, then the webhook is tried once (like Twilio) and the text stays in the log', async () => {
    const down = await startPhoneSimulator({
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
      inboundWebhookUrl: DEAD_URL,
    });
    try {
      const { message, webhook } = await down.simulator.sendInbound({ from: MARIA, body: 'Anyone there?' });
      expect(webhook).toEqual({ ok: false, attempts: 1 });
      expect(down.simulator.callbacks.attempts()).toEqual([
        expect.objectContaining({ kind: 'inbound', ok: false, error: 'ECONNREFUSED' }),
      ]);
      const listed = await down.twilioClient().messages.list({ from: MARIA });
      expect(listed.map((listedMessage) => listedMessage.sid)).toEqual([message.sid]);
    } finally {
      await down.close();
    }
  });

  test('when the webhook URL asks for retries with connection overrides, then the simulator retries as asked', async () => {
    const down = await startPhoneSimulator({
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
      inboundWebhookUrl: `${DEAD_URL}#rc=2&rp=ct`,
    });
    try {
      const { webhook } = await down.simulator.sendInbound({ from: MARIA, body: 'Retry?' });
      expect(webhook).toMatchObject({ ok: false, attempts: 3 });
    } finally {
      await down.close();
    }
  });

  test('when retries on 5xx are configured, then each retry carries the same idempotency token and a valid signature', async () => {
    const retrying = await startPhoneSimulator({
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
      inboundWebhookUrl: relay.url('/twilio/flaky'),
      webhookRetry: { retries: 2, on: ['5xx'] },
    });
    let calls = 0;
    relay.answer('/twilio/flaky', () => ({ status: (calls += 1) < 3 ? 503 : 200 }));
    try {
      const { webhook } = await retrying.simulator.sendInbound({ from: MARIA, body: 'Flaky' });
      expect(webhook).toMatchObject({ ok: true, status: 200, attempts: 3 });
      const received = relay.received.filter((candidate) => candidate.path === '/twilio/flaky');
      expect(received).toHaveLength(3);
      expect(new Set(received.map((candidate) => candidate.idempotencyToken)).size).toBe(1);
      expect(received.every((candidate) => candidate.signatureValid)).toBe(true);
    } finally {
      await retrying.close();
    }
  });

  test('when the webhook fails and a fallback URL is set, then the fallback gets it with ErrorCode 11200', async () => {
    const withFallback = await startPhoneSimulator({
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
      inboundWebhookUrl: DEAD_URL,
      inboundFallbackUrl: relay.url('/twilio/fallback'),
    });
    try {
      await withFallback.simulator.sendInbound({ from: MARIA, body: 'Fallback' });
      const [received] = await relay.waitFor((candidate) => candidate.path === '/twilio/fallback');
      expect(received?.params).toMatchObject({ Body: 'Fallback', ErrorCode: '11200', ErrorUrl: DEAD_URL });
      expect(received?.signatureValid).toBe(true);
    } finally {
      await withFallback.close();
    }
  });

  test('when the relay answers with TwiML <Message>, then that reply is sent back to the phone', async () => {
    relay.answer('/twilio/inbound', {
      status: 200,
      body: '<?xml version="1.0" encoding="UTF-8"?><Response><Message>Thanks &amp; see you soon.</Message></Response>',
    });
    const { replies } = await running.simulator.sendInbound({ from: MARIA, body: 'Running late' });
    expect(replies.map((reply) => [reply.direction, reply.to, reply.body])).toEqual([
      ['outbound-reply', MARIA, 'Thanks & see you soon.'],
    ]);
    await running.simulator.waitForMessage({ sid: replies[0]?.sid ?? '', status: 'delivered' });
  });
});

describe('opt-out keywords', () => {
  test('when a patient texts STOP, then the relay still gets it, Twilio replies, and the next send fails with 21610', async () => {
    const { replies } = await running.simulator.sendInbound({ from: MARIA, body: ' stop ' });

    const [received] = await relay.waitFor((candidate) => candidate.path === '/twilio/inbound');
    expect(received?.params.Body).toBe(' stop ');
    expect(received?.params.OptOutType).toBeUndefined();
    expect(replies.map((reply) => reply.body)).toEqual([DEFAULT_KEYWORD_REPLIES.STOP]);
    expect(running.simulator.isOptedOut(MARIA)).toBe(true);
    await expect(
      client.messages.create({ to: MARIA, from: PRACTICE.smsNumber, body: 'Are you there?' }),
    ).rejects.toMatchObject({
      status: 400,
      code: 21610,
    });

    await running.simulator.sendInbound({ from: MARIA, body: 'START' });
    expect(running.simulator.isOptedOut(MARIA)).toBe(false);
    await expect(
      client.messages.create({ to: MARIA, from: PRACTICE.smsNumber, body: 'Welcome back' }),
    ).resolves.toMatchObject({
      status: 'queued',
    });
  });

  test('when the account handles keywords itself (no auto-reply, Advanced Opt-Out), then no reply is sent and OptOutType is set', async () => {
    const advanced = await startPhoneSimulator({
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
      inboundWebhookUrl: relay.url('/twilio/advanced'),
      keywordAutoReply: false,
      advancedOptOut: true,
    });
    try {
      const { replies } = await advanced.simulator.sendInbound({ from: MARIA, body: 'UNSUBSCRIBE' });
      expect(replies).toEqual([]);
      const [received] = await relay.waitFor((candidate) => candidate.path === '/twilio/advanced');
      expect(received?.params.OptOutType).toBe('STOP');
      expect(advanced.simulator.isOptedOut(MARIA)).toBe(true);
    } finally {
      await advanced.close();
    }
  });
});
