/**
 * Retry of a failed message over real HTTP (docs/decisions/044, 058): the clinician's Retry puts the same Communication
 * back to `preparation` and keeps the first attempt's SID as an earlier attempt; the first SMS never takes the message
 * over again — not through a late status callback, not through the relay's search of Twilio's log after an ambiguous
 * failure, not through reconciliation of a claim whose relay died.
 */
import type { Communication } from '@medplum/fhirtypes';
import twilio from 'twilio';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { retryVersion } from '../../client/thread/retryMessage';
import { statusCallbackParams } from '../../sandbox/phone/deliverMessage';
import type { FaultPoint } from '../../server/relay/context';
import { previousSidsOf, sidOf, twilioStatusOf } from '../../server/relay/outboundFields';
import {
  createPatient,
  createPending,
  eventually,
  STACK_CLAIM_TIMEOUT_MS,
  startRelayStack,
  type RelayStack,
} from './relay-support/relayStack';

/** A number whose texts the simulated carrier never delivers (Twilio 30003), so every attempt ends in a failure. */
const UNREACHABLE = '+12015550177';

let stack: RelayStack;
let patientId: string;

beforeAll(async () => {
  stack = await startRelayStack({
    phone: { deliveryFailures: [{ to: UNREACHABLE, status: 'undelivered', errorCode: 30003 }] },
  });
  patientId = (await createPatient(stack, UNREACHABLE)).id ?? '';
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

async function read(id: string): Promise<Communication> {
  return stack.fhir.read('Communication', id);
}

async function nudge(): Promise<void> {
  expect((await fetch(`${stack.appUrl}/api/outbox/nudge`, { method: 'POST' })).status).toBe(202);
}

/** Sent once, undelivered, then retried by the clinician: the message is back in preparation. */
async function failedThenRetried(body: string): Promise<{ id: string; firstSid: string }> {
  const pending = await createPending(stack, patientId, body);
  const id = pending.id ?? '';
  await nudge();
  const failed = await eventually(
    () => read(id),
    (c) => c.status === 'stopped',
  );
  expect(twilioStatusOf(failed)).toBe('undelivered');
  const firstSid = sidOf(failed) ?? '';
  await stack.sandbox.phone.settled();
  const retried = await stack.fhir.update(retryVersion(failed), { ifMatch: failed.meta?.versionId });
  expect(retried.status).toBe('preparation');
  expect(previousSidsOf(retried)).toEqual([firstSid]);
  return { id, firstSid };
}

/** Posts a status callback of `sid` in `status` to the URL Twilio was given for it, signed as Twilio signs. */
async function lateCallback(sid: string, status: 'sent' | 'delivered'): Promise<number> {
  const record = stack.sandbox.phone.messages({ sid })[0];
  if (!record?.statusCallback) throw new Error(`no status callback URL for ${sid}`);
  const params = statusCallbackParams({ ...record, status, errorCode: null, errorMessage: null });
  const signature = twilio.getExpectedTwilioSignature(stack.config.twilio.authToken, record.statusCallback, params);
  const response = await fetch(record.statusCallback, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
    body: new URLSearchParams(params).toString(),
  });
  return response.status;
}

/** The retried message once its second SMS has its final status. */
async function secondAttemptDone(id: string, firstSid: string): Promise<Communication> {
  return eventually(
    () => read(id),
    (c) => sidOf(c) !== undefined && sidOf(c) !== firstSid && c.status === 'stopped',
  );
}

describe('Retry of an undelivered message', () => {
  test('when the first attempt’s late "sent" callback arrives after Retry, then it changes nothing and the retry is sent', async () => {
    const body = 'Retry: late callback';
    const { id, firstSid } = await failedThenRetried(body);
    const firstUrl = stack.sandbox.phone.messages({ sid: firstSid })[0]?.statusCallback ?? '';
    expect(new URL(firstUrl).searchParams.get('c')).toBe(id);
    expect(new URL(firstUrl).searchParams.get('a')).toBe('1');

    expect(await lateCallback(firstSid, 'sent')).toBe(204);
    const waiting = await read(id);
    expect(waiting.status).toBe('preparation');
    expect(sidOf(waiting)).toBeUndefined();

    await nudge();
    const done = await secondAttemptDone(id, firstSid);
    expect(stack.sandbox.phone.countMessages({ body })).toBe(2);
    expect(previousSidsOf(done)).toEqual([firstSid]);
    expect(await lateCallback(firstSid, 'delivered')).toBe(204);
    expect((await read(id)).status).toBe('stopped');
    expect(sidOf(await read(id))).toBe(sidOf(done));
  });

  test('when the retried send meets a Twilio 500, then the first attempt’s SMS is not adopted and the retry is sent', async () => {
    const body = 'Retry: ambiguous 500';
    const { id, firstSid } = await failedThenRetried(body);
    stack.sandbox.phone.faults.failNext(1, 500);
    await stack.relay.drain.request();
    const done = await secondAttemptDone(id, firstSid);
    expect(stack.sandbox.phone.countMessages({ body })).toBe(2);
    expect(stack.sandbox.phone.messages({ sid: sidOf(done) ?? '' })).toHaveLength(1);
  });

  test('when the relay dies after claiming the retry, then reconciliation sends it rather than adopting the first SMS', async () => {
    const body = 'Retry: relay died';
    const { id, firstSid } = await failedThenRetried(body);
    const dieBeforeTwilio = (point: FaultPoint, communicationId: string): Promise<void> | undefined =>
      point === 'before-twilio' && communicationId === id ? new Promise<void>(() => {}) : undefined;
    const dying = stack.restart({ faultPoints: dieBeforeTwilio });
    void dying.drain.request();
    await eventually(
      () => read(id),
      (c) => c.status === 'in-progress',
    );
    stack.kill();
    await new Promise((resolve) => setTimeout(resolve, STACK_CLAIM_TIMEOUT_MS + 100));
    const restarted = stack.restart();
    const report = await restarted.reconciler.run();
    expect(report).toMatchObject({ claimsAdopted: 0, claimsResent: 1 });
    await secondAttemptDone(id, firstSid);
    expect(stack.sandbox.phone.countMessages({ body })).toBe(2);
  });
});
