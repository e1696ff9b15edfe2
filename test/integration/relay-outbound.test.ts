/**
 * The relay sending through the phone simulator against the sandbox EHR, over real HTTP (issue 4, "Done when").
 */
import type { Communication, Consent, Patient } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CODE_SYSTEMS, EXTENSIONS, EXTERNAL_SYSTEMS, TOKENS, codeFrom } from '../../fhir-profiles/vocabulary';
import { PATIENTS, SPECIAL_PATIENTS } from '../../sandbox/seed/roster';
import { matches } from '../../server/relay/fhirStore';
import { sidOf, twilioStatusOf } from '../../server/relay/outboundFields';
import { toE164 } from '../../server/relay/normalisePhone';
import { createPatient, createPending, eventually, startRelayStack, type RelayStack } from './relay-support/relayStack';

let stack: RelayStack;

beforeAll(async () => {
  stack = await startRelayStack();
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

const phoneOf = (patientId: string): string => {
  const phone = PATIENTS.find((patient) => patient.id === patientId)?.phone;
  return toE164(phone, 'US') ?? '';
};

async function read(communication: Communication): Promise<Communication> {
  return stack.fhir.read('Communication', communication.id ?? '');
}

async function nudge(): Promise<void> {
  const response = await fetch(`${stack.appUrl}/api/outbox/nudge`, { method: 'POST' });
  expect(response.status).toBe(202);
}

const isFinal = (communication: Communication): boolean =>
  communication.status === 'completed' || communication.status === 'stopped';

describe('outbound', () => {
  test('when the client creates a message and nudges, then it is delivered and the EHR has SID, sent and final status', async () => {
    const pending = await createPending(stack, 'p0007', 'Your lab results are ready.');
    await nudge();
    const done = await eventually(
      () => read(pending),
      (c) => twilioStatusOf(c) === 'delivered',
    );
    const sid = sidOf(done);
    expect(done.status).toBe('completed');
    expect(sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(done.sent).toBeDefined();
    const atTwilio = stack.sandbox.phone.messages({ sid: sid ?? '' });
    expect(atTwilio).toHaveLength(1);
    expect(atTwilio[0]).toMatchObject({
      to: phoneOf('p0007'),
      body: 'Your lab results are ready.',
      status: 'delivered',
    });
  });

  test('when the patient has only a landline, then the message is stopped with the reason and Twilio is not called', async () => {
    const before = stack.sandbox.phone.countMessages({ direction: 'outbound-api' });
    const pending = await createPending(stack, SPECIAL_PATIENTS.landlineOnly, 'Flu shots are in.');
    await stack.relay.drain.request();
    const done = await read(pending);
    expect(done.status).toBe('stopped');
    expect(codeFrom(done.statusReason, CODE_SYSTEMS.stopReason)).toBe('no-sms-number');
    expect(done.statusReason?.text).toMatch(/no mobile/i);
    expect(stack.sandbox.phone.countMessages({ direction: 'outbound-api' })).toBe(before);
  });

  test('when a number the chart calls mobile is a landline, then Twilio reports 30006 and the message stops with it', async () => {
    const patient = await createPatient(stack, phoneOf(SPECIAL_PATIENTS.landlineOnly), 'mobile');
    const pending = await createPending(stack, patient.id ?? '', 'Reminder: appointment tomorrow.');
    await stack.relay.drain.request();
    const done = await eventually(() => read(pending), isFinal);
    expect(done.status).toBe('stopped');
    expect(codeFrom(done.statusReason, CODE_SYSTEMS.stopReason)).toBe('delivery-failed');
    expect(codeFrom(done.statusReason, EXTERNAL_SYSTEMS.twilioError)).toBe('30006');
    const flagged = await eventually(
      () => stack.fhir.read('Patient', patient.id ?? ''),
      (p: Patient) => p.telecom?.[0]?.extension?.some((e) => e.url === EXTENSIONS.numberFlag) === true,
    );
    expect(flagged.telecom?.[0]?.extension?.[0]?.valueCoding?.code).toBe('landline');
  });

  test('when status callbacks arrive in reverse order, then the final status is kept', async () => {
    const phone = stack.sandbox.phone;
    phone.callbacks.pause();
    const pending = await createPending(stack, 'p0008', 'Out of order please.');
    await stack.relay.drain.request();
    const sid = sidOf(await read(pending)) ?? '';
    await phone.waitForMessage({ sid, status: 'delivered' });
    expect(phone.callbacks.held()).toBeGreaterThanOrEqual(2);
    await phone.callbacks.resume('reverse');
    await phone.settled();
    const done = await read(pending);
    expect(done.status).toBe('completed');
    expect(twilioStatusOf(done)).toBe('delivered');
  });

  test('when a patient texts STOP, then consent is denied and the next message is stopped without calling Twilio; START permits again', async () => {
    const patientId = 'p0010';
    const number = phoneOf(patientId);
    await stack.sandbox.phone.sendInbound({ from: number, body: 'STOP' });
    const consents = await eventually(
      async () =>
        matches<Consent>(
          await stack.fhir.search('Consent', { patient: `Patient/${patientId}`, category: TOKENS.smsConsent }),
          'Consent',
        ),
      (list) => list.length > 0,
    );
    expect(consents.map((consent) => consent.provision?.type)).toEqual(['deny']);

    const sentBefore = stack.sandbox.phone.countMessages({ to: number, direction: 'outbound-api' });
    const blocked = await createPending(stack, patientId, 'Are you coming Tuesday?');
    await stack.relay.drain.request();
    const stopped = await read(blocked);
    expect(stopped.status).toBe('stopped');
    expect(codeFrom(stopped.statusReason, CODE_SYSTEMS.stopReason)).toBe('consent-denied');
    expect(codeFrom(stopped.statusReason, EXTERNAL_SYSTEMS.twilioError)).toBeUndefined();
    expect(stack.sandbox.phone.countMessages({ to: number, direction: 'outbound-api' })).toBe(sentBefore);

    await stack.sandbox.phone.sendInbound({ from: number, body: 'START' });
    await eventually(
      async () =>
        matches<Consent>(
          await stack.fhir.search('Consent', { patient: `Patient/${patientId}`, category: TOKENS.smsConsent }),
          'Consent',
        ),
      (list) => list.some((consent) => consent.provision?.type === 'permit'),
    );
    const allowed = await createPending(stack, patientId, 'Welcome back.');
    await stack.relay.drain.request();
    expect(twilioStatusOf(await eventually(() => read(allowed), isFinal))).toBe('delivered');
  });

  test('when a patient opted out on Twilio’s side only, then Twilio’s 21610 records the deny and stops the message', async () => {
    const patient = await createPatient(stack, phoneOf(SPECIAL_PATIENTS.optedOut));
    const pending = await createPending(stack, patient.id ?? '', 'Hello again.');
    await stack.relay.drain.request();
    const done = await read(pending);
    expect(done.status).toBe('stopped');
    expect(codeFrom(done.statusReason, EXTERNAL_SYSTEMS.twilioError)).toBe('21610');
    const consents = matches<Consent>(
      await stack.fhir.search('Consent', { patient: `Patient/${patient.id ?? ''}` }),
      'Consent',
    );
    expect(consents.map((consent) => consent.provision?.type)).toEqual(['deny']);
  });
});
