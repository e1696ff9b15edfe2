import { randomBytes } from 'node:crypto';
import type twilio from 'twilio';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { PRACTICE } from '../seed/roster';
import { startPhoneSimulator, type RunningPhoneSimulator } from './startPhoneSimulator';
import { rewriteTwilioUrl } from './twilioHostRewrite';

const ACCOUNT_SID = 'AC' + randomBytes(16).toString('hex');
const AUTH_TOKEN = randomBytes(16).toString('hex');
const API_KEY = { sid: 'SK' + randomBytes(16).toString('hex'), secret: randomBytes(16).toString('hex') };
const SERVICE_SID = 'MG' + randomBytes(16).toString('hex');
const MARIA = '+12015550123';
const ROBERT_OPTED_OUT = '+12015550124';
const GRACE = '+12015550129';
const NOT_A_MOBILE = '+12015550131';

let running: RunningPhoneSimulator;
let client: twilio.Twilio;

beforeAll(async () => {
  running = await startPhoneSimulator({
    accountSid: ACCOUNT_SID,
    authToken: AUTH_TOKEN,
    apiKeys: [API_KEY],
    messagingServices: [{ sid: SERVICE_SID, numbers: [PRACTICE.smsNumber] }],
    createFailures: [{ to: NOT_A_MOBILE, errorCode: 21614 }],
    timing: { sentAfterMs: 0, finalAfterMs: 0 },
  });
  client = running.twilioClient();
});

afterEach(async () => {
  await running.simulator.settled();
  running.simulator.reset();
});

afterAll(async () => {
  await running.close();
});

const basic = (username: string, password: string): string =>
  'Basic ' + Buffer.from(`${username}:${password}`).toString('base64');

/** A raw form POST to the Messages list, as any HTTP client could send it. */
async function postMessage(form: Record<string, string>, auth = basic(ACCOUNT_SID, AUTH_TOKEN)): Promise<Response> {
  return fetch(`${running.simulator.apiBaseUrl}/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`, {
    method: 'POST',
    headers: { Authorization: auth, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
}

describe('Messages with the real twilio SDK', () => {
  test('when the relay sends a text, then Twilio-shaped fields come back and the message can be fetched and listed', async () => {
    const created = await client.messages.create({
      to: MARIA,
      from: PRACTICE.smsNumber,
      body: 'Your visit is at 10:30.',
    });

    expect(created.sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(created).toMatchObject({
      accountSid: ACCOUNT_SID,
      apiVersion: '2010-04-01',
      direction: 'outbound-api',
      status: 'queued',
      to: MARIA,
      from: PRACTICE.smsNumber,
      numSegments: '1',
      numMedia: '0',
      price: null,
      errorCode: null,
      uri: `/2010-04-01/Accounts/${ACCOUNT_SID}/Messages/${created.sid}.json`,
    });
    expect(created.dateCreated).toBeInstanceOf(Date);
    expect(created.subresourceUris).toMatchObject({ media: expect.stringMatching(/\/Media\.json$/) as string });

    await running.simulator.waitForMessage({ sid: created.sid, status: 'delivered' });
    const fetched = await client.messages(created.sid).fetch();
    expect(fetched.status).toBe('delivered');
    expect(fetched.dateSent).toBeInstanceOf(Date);

    const listed = await client.messages.list({ to: MARIA, from: PRACTICE.smsNumber });
    expect(listed.map((message) => message.sid)).toEqual([created.sid]);
  });

  test('when the log holds more than a page, then the SDK pages through every message once, newest first', async () => {
    for (let index = 0; index < 7; index += 1) {
      await client.messages.create({ to: GRACE, from: PRACTICE.smsNumber, body: `Reminder ${index}` });
    }
    const listed = await client.messages.list({ to: GRACE, pageSize: 3 });
    expect(listed.map((message) => message.body)).toEqual([6, 5, 4, 3, 2, 1, 0].map((index) => `Reminder ${index}`));
  });

  test('when the list is filtered by DateSent, then only messages sent in the range come back', async () => {
    const sent = await client.messages.create({ to: MARIA, from: PRACTICE.smsNumber, body: 'Dated' });
    await running.simulator.waitForMessage({ sid: sent.sid, status: 'delivered' });
    const anHourAgo = new Date(Date.now() - 3_600_000);
    const inAnHour = new Date(Date.now() + 3_600_000);

    expect(await client.messages.list({ dateSentAfter: anHourAgo })).toHaveLength(1);
    expect(await client.messages.list({ dateSentBefore: anHourAgo })).toHaveLength(0);
    expect(await client.messages.list({ dateSentAfter: inAnHour })).toHaveLength(0);
  });

  test('when sending through a Messaging Service, then the message is accepted first and gets the practice sender', async () => {
    const created = await client.messages.create({ to: MARIA, messagingServiceSid: SERVICE_SID, body: 'Hello' });
    expect(created).toMatchObject({
      status: 'accepted',
      from: null,
      messagingServiceSid: SERVICE_SID,
      numSegments: '0',
    });

    const delivered = await running.simulator.waitForMessage({ sid: created.sid, status: 'delivered' });
    expect(delivered.from).toBe(PRACTICE.smsNumber);
  });

  test('when a text carries a picture, then it is an MMS with a Media resource whose content redirects to the URL', async () => {
    const created = await client.messages.create({
      to: MARIA,
      from: PRACTICE.smsNumber,
      body: 'Your map',
      mediaUrl: ['https://example.org/map.png'],
    });
    expect(created.sid).toMatch(/^MM[0-9a-f]{32}$/);
    expect(created.numMedia).toBe('1');

    const media = await client.messages(created.sid).media.list();
    expect(media).toHaveLength(1);
    expect(media[0]).toMatchObject({ contentType: 'image/png', parentSid: created.sid, accountSid: ACCOUNT_SID });
    const content = await fetch(`${running.simulator.apiBaseUrl}${media[0]?.uri.replace(/\.json$/, '') ?? ''}`, {
      headers: { Authorization: basic(ACCOUNT_SID, AUTH_TOKEN) },
      redirect: 'manual',
    });
    expect(content.status).toBe(302);
    expect(content.headers.get('location')).toBe('https://example.org/map.png');
  });

  test('when a message SID is unknown, then the SDK gets Twilio 20404', async () => {
    await expect(client.messages('SM' + '0'.repeat(32)).fetch()).rejects.toMatchObject({ status: 404, code: 20404 });
  });
});

describe('authentication', () => {
  test('when the auth token is wrong, then every call is refused with 401 and Twilio code 20003', async () => {
    const wrong = running.twilioClient({ password: 'not-the-token' });
    await expect(wrong.messages.list()).rejects.toMatchObject({ status: 401, code: 20003 });
    await expect(wrong.messages.create({ to: MARIA, from: PRACTICE.smsNumber, body: 'x' })).rejects.toMatchObject({
      status: 401,
      code: 20003,
    });
    expect(running.simulator.countMessages()).toBe(0);
  });

  test('when no credentials are sent, then the answer is 401 with a Basic challenge', async () => {
    const response = await postMessage({ To: MARIA, From: PRACTICE.smsNumber, Body: 'x' }, '');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Basic /);
    expect(await response.json()).toEqual({
      code: 20003,
      message: 'Authenticate',
      more_info: 'https://www.twilio.com/docs/errors/20003',
      status: 401,
    });
  });

  test('when an API key and secret are used, then the account is reached', async () => {
    const withKey = running.twilioClient({ username: API_KEY.sid, password: API_KEY.secret });
    const created = await withKey.messages.create({ to: MARIA, from: PRACTICE.smsNumber, body: 'Key' });
    expect(created.accountSid).toBe(ACCOUNT_SID);
  });

  test('when valid credentials name another account in the path, then the answer is 401', async () => {
    const other = 'AC' + 'f'.repeat(32);
    const response = await fetch(`${running.simulator.apiBaseUrl}/2010-04-01/Accounts/${other}/Messages.json`, {
      headers: { Authorization: basic(ACCOUNT_SID, AUTH_TOKEN) },
    });
    expect(response.status).toBe(401);
  });
});

describe("Twilio's checks on create", () => {
  test.each([
    ['no To', {}, 21604],
    ['no From and no Messaging Service', { To: MARIA }, 21603],
    ['no Body and no media', { To: MARIA, From: PRACTICE.smsNumber }, 21602],
    ['a To without country code', { To: '2015550123', From: PRACTICE.smsNumber, Body: 'x' }, 21211],
    ['a To that is not a number', { To: '+1555', From: PRACTICE.smsNumber, Body: 'x' }, 21211],
    ['a From the account does not own', { To: MARIA, From: '+12015550188', Body: 'x' }, 21659],
    ['the practice voice line as From', { To: MARIA, From: '+12015550101', Body: 'x' }, 21606],
    ['an unknown Messaging Service', { To: MARIA, MessagingServiceSid: 'MG' + '1'.repeat(32), Body: 'x' }, 21701],
    ['a body of 1,601 characters', { To: MARIA, From: PRACTICE.smsNumber, Body: 'a'.repeat(1601) }, 21617],
    [
      'a StatusCallback that is not a URL',
      { To: MARIA, From: PRACTICE.smsNumber, Body: 'x', StatusCallback: 'nope' },
      21609,
    ],
    ['a UK number (geo permissions)', { To: '+442071838750', From: PRACTICE.smsNumber, Body: 'x' }, 21408],
    ['To equal to From', { To: PRACTICE.smsNumber, From: PRACTICE.smsNumber, Body: 'x' }, 21266],
    [
      'a number that is not a mobile (configured rule)',
      { To: NOT_A_MOBILE, From: PRACTICE.smsNumber, Body: 'x' },
      21614,
    ],
    ['the opted-out patient', { To: ROBERT_OPTED_OUT, From: PRACTICE.smsNumber, Body: 'x' }, 21610],
  ])('when the request has %s, then it fails with 400 and code %s and nothing is sent', async (_case, form, code) => {
    const response = await postMessage(form);
    expect(response.status).toBe(400);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toEqual({
      code,
      message: expect.any(String) as string,
      more_info: `https://www.twilio.com/docs/errors/${code}`,
      status: 400,
    });
    expect(running.simulator.countMessages()).toBe(0);
  });

  test('when the body is exactly 1,600 characters, then it is accepted and billed as 11 segments', async () => {
    const response = await postMessage({ To: MARIA, From: PRACTICE.smsNumber, Body: 'a'.repeat(1600) });
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ num_segments: '11', status: 'queued' });
  });
});

describe('injected faults', () => {
  test('when the next two creates get 429, then the SDK sees 20429 twice and exactly one SMS is sent after', async () => {
    running.simulator.faults.failNext(2, 429);
    const send = (): Promise<unknown> =>
      client.messages.create({ to: MARIA, from: PRACTICE.smsNumber, body: 'Retry me' });
    await expect(send()).rejects.toMatchObject({ status: 429, code: 20429 });
    await expect(send()).rejects.toMatchObject({ status: 429, code: 20429 });
    await send();
    expect(running.simulator.countMessages({ to: MARIA, body: 'Retry me' })).toBe(1);
  });

  test('when a 500 or a permanent code is injected, then the next create fails with it', async () => {
    running.simulator.faults.failNext(1, 500);
    running.simulator.faults.failNext(1, 21614);
    const send = (): Promise<unknown> => client.messages.create({ to: MARIA, from: PRACTICE.smsNumber, body: 'x' });
    await expect(send()).rejects.toMatchObject({ status: 500, code: 20500 });
    await expect(send()).rejects.toMatchObject({ status: 400, code: 21614 });
    expect(running.simulator.countMessages()).toBe(0);
  });

  test('when the connection drops after Twilio accepted the message, then the caller sees an error but the log has it', async () => {
    running.simulator.faults.inject({ kind: 'accept-then-drop' });
    await expect(
      client.messages.create({ to: MARIA, from: PRACTICE.smsNumber, body: 'Lost answer' }),
    ).rejects.toThrow();

    const listed = await client.messages.list({ to: MARIA });
    expect(listed.map((message) => message.body)).toEqual(['Lost answer']);
  });

  test('when a read fault targets any request, then a list fails too', async () => {
    running.simulator.faults.failNext(1, 503, 'any');
    await expect(client.messages.list()).rejects.toMatchObject({ status: 503, code: 20503 });
    await expect(client.messages.list()).resolves.toEqual([]);
  });
});

describe('SDK host rewrite', () => {
  test.each([
    [
      'https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json',
      'http://127.0.0.1:3001/twilio/2010-04-01/Accounts/AC1/Messages.json',
    ],
    [
      'https://api.twilio.com:443/2010-04-01/Accounts.json?Page=1',
      'http://127.0.0.1:3001/twilio/2010-04-01/Accounts.json?Page=1',
    ],
  ])('when the SDK requests %s, then it goes to %s', (from, to) => {
    expect(rewriteTwilioUrl(from, 'http://127.0.0.1:3001/twilio/')).toBe(to);
  });

  test.each([
    'https://messaging.twilio.com/v1/Services',
    'https://api.twilio.com.evil.example/x',
    'https://lookups.twilio.com/v2/PhoneNumbers/x',
  ])('when the SDK requests %s, then the request is refused instead of reaching the internet', (uri) => {
    expect(() => rewriteTwilioUrl(uri, 'http://127.0.0.1:3001/twilio')).toThrow(/serves only api\.twilio\.com/);
  });
});
