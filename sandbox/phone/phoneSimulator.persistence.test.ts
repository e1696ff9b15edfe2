import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, expect, test } from 'vitest';
import { PRACTICE } from '../seed/roster';
import { startFakeRelay, type FakeRelay } from './fakeRelay';
import { startPhoneSimulator, type RunningPhoneSimulator } from './startPhoneSimulator';

const ACCOUNT_SID = 'AC' + randomBytes(16).toString('hex');
const AUTH_TOKEN = randomBytes(16).toString('hex');
const MARIA = '+12015550123';
const GRACE = '+12015550129';

let relay: FakeRelay;
let dataDir: string;
const started: RunningPhoneSimulator[] = [];

const start = async (timing: { sentAfterMs: number; finalAfterMs: number }): Promise<RunningPhoneSimulator> => {
  const running = await startPhoneSimulator({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, dataDir, timing });
  started.push(running);
  return running;
};

beforeAll(async () => {
  relay = await startFakeRelay(AUTH_TOKEN);
});

beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'phone-log-'));
});

afterEach(async () => {
  for (const running of started.splice(0)) await running.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

afterAll(async () => {
  await relay.close();
});

test('when the sandbox restarts, then the message log and opt-outs are still there', async () => {
  const first = await start({ sentAfterMs: 0, finalAfterMs: 0 });
  const sent = await first
    .twilioClient()
    .messages.create({ to: MARIA, from: PRACTICE.smsNumber, body: 'Before restart' });
  await first.simulator.waitForMessage({ sid: sent.sid, status: 'delivered' });
  const { message: inbound } = await first.simulator.sendInbound({ from: GRACE, body: 'STOP' });
  await first.close();

  const second = await start({ sentAfterMs: 0, finalAfterMs: 0 });
  const client = second.twilioClient();
  expect(await client.messages(sent.sid).fetch()).toMatchObject({ status: 'delivered', body: 'Before restart' });
  const listed = await client.messages.list();
  expect(listed.map((message) => message.sid)).toEqual(expect.arrayContaining([sent.sid, inbound.sid]));
  expect(second.simulator.isOptedOut(GRACE)).toBe(true);
  await expect(client.messages.create({ to: GRACE, from: PRACTICE.smsNumber, body: 'x' })).rejects.toMatchObject({
    code: 21610,
  });
});

test('when the sandbox stops mid-delivery, then after restart the message finishes and its callbacks follow', async () => {
  const first = await start({ sentAfterMs: 60_000, finalAfterMs: 60_000 });
  const sent = await first.twilioClient().messages.create({
    to: MARIA,
    from: PRACTICE.smsNumber,
    body: 'Interrupted',
    statusCallback: relay.url('/twilio/status'),
  });
  await relay.waitFor((webhook) => webhook.params.MessageSid === sent.sid && webhook.params.MessageStatus === 'queued');
  await first.close();

  const second = await start({ sentAfterMs: 0, finalAfterMs: 0 });
  await second.simulator.waitForMessage({ sid: sent.sid, status: 'delivered' });
  const callbacks = await relay.waitFor((webhook) => webhook.params.MessageSid === sent.sid, 3);
  expect(callbacks.map((webhook) => webhook.params.MessageStatus)).toEqual(['queued', 'sent', 'delivered']);
});

test('when the log ends in a line cut short by a crash, then everything before it is kept', async () => {
  const first = await start({ sentAfterMs: 0, finalAfterMs: 0 });
  const sent = await first.twilioClient().messages.create({ to: MARIA, from: PRACTICE.smsNumber, body: 'Kept' });
  await first.simulator.settled();
  await first.close();
  fs.appendFileSync(path.join(dataDir, 'phone-messages.jsonl'), '{"t":"message","message":{"sid":"SM');

  const second = await start({ sentAfterMs: 0, finalAfterMs: 0 });
  expect(second.simulator.messages().map((message) => message.sid)).toEqual([sent.sid]);
});
