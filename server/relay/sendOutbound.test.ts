import type { Communication, Consent } from '@medplum/fhirtypes';
import { describe, expect, test } from 'vitest';
import { CODE_SYSTEMS, EXTENSIONS, EXTERNAL_SYSTEMS, codeFrom } from '../../fhir-profiles/vocabulary';
import {
  createTestContext,
  invalidResources,
  seedPatient,
  seedPending,
  type TestContext,
} from '../../test/integration/relay-support/testContext';
import { smsConsent } from './checkConsent';
import { createOutboxDrain } from './drainOutbox';
import { sidOf, twilioStatusOf } from './outboundFields';
import { reconcile } from './reconcile';
import { FhirStoreError } from './fhirStore';
import { badRequest } from '@medplum/core';

async function drainAll(ctx: TestContext): Promise<void> {
  await createOutboxDrain(ctx).request();
}

async function reread(ctx: TestContext, communication: Communication): Promise<Communication> {
  return ctx.fhir.read('Communication', communication.id ?? '');
}

const stopCode = (communication: Communication): string | undefined =>
  codeFrom(communication.statusReason, CODE_SYSTEMS.stopReason);

describe('sending an outbound message', () => {
  test('when a message is pending for a patient with a mobile, then it is sent once and records SID, sent and status', async () => {
    const ctx = createTestContext();
    await seedPatient(ctx, 'maria', '(201) 555-0123');
    const pending = await seedPending(ctx, 'maria', 'See you Tuesday at 10.');
    await drainAll(ctx);
    const saved = await reread(ctx, pending);
    expect(ctx.sms.sends).toHaveLength(1);
    expect(ctx.sms.sends[0]).toMatchObject({
      to: '+12015550123',
      body: 'See you Tuesday at 10.',
      statusCallback: `https://relay.example.org/twilio/status?c=${pending.id ?? ''}&a=1`,
    });
    expect(saved.status).toBe('in-progress');
    expect(sidOf(saved)).toBe(ctx.sms.log[0]?.sid);
    expect(saved.sent).toBeDefined();
    expect(twilioStatusOf(saved)).toBe('queued');
    expect(saved.extension?.find((e) => e.url === EXTENSIONS.toNumber)?.valueString).toBe('+12015550123');
  });

  test('when the patient has only a landline, then the message is stopped with no-sms-number and Twilio is not called', async () => {
    const ctx = createTestContext();
    await seedPatient(ctx, 'evelyn', '201.555.0125', 'home');
    const pending = await seedPending(ctx, 'evelyn', 'Hello');
    await drainAll(ctx);
    const saved = await reread(ctx, pending);
    expect(ctx.sms.sends).toHaveLength(0);
    expect(saved.status).toBe('stopped');
    expect(stopCode(saved)).toBe('no-sms-number');
    expect(saved.statusReason?.text).toMatch(/no mobile/);
  });

  test('when the latest consent is a deny, then the message is stopped and Twilio is not called', async () => {
    const ctx = createTestContext();
    await seedPatient(ctx, 'robert', '+12015550124');
    const source = { sourceUrl: 'Communication/x', sourceTitle: 'staff' };
    const now = Date.now();
    await ctx.fhir.seed<Consent>(
      smsConsent({
        patient: 'Patient/robert',
        decision: 'permit',
        now: new Date(now - 60_000),
        organization: 'Organization/p',
        ...source,
      }),
    );
    await ctx.fhir.seed<Consent>(
      smsConsent({
        patient: 'Patient/robert',
        decision: 'deny',
        now: new Date(now),
        organization: 'Organization/p',
        ...source,
      }),
    );
    const pending = await seedPending(ctx, 'robert', 'Hello');
    await drainAll(ctx);
    expect(ctx.sms.sends).toHaveLength(0);
    expect(stopCode(await reread(ctx, pending))).toBe('consent-denied');
  });

  test('when Twilio answers 21610, then a deny Consent is recorded and the message is stopped with the Twilio error', async () => {
    const ctx = createTestContext();
    await seedPatient(ctx, 'robert', '+12015550124');
    const pending = await seedPending(ctx, 'robert', 'Hello');
    ctx.sms.failNext({ status: 400, code: 21610 });
    await drainAll(ctx);
    const saved = await reread(ctx, pending);
    expect(stopCode(saved)).toBe('consent-denied');
    expect(codeFrom(saved.statusReason, EXTERNAL_SYSTEMS.twilioError)).toBe('21610');
    const consents = await ctx.fhir.search('Consent', { patient: 'Patient/robert' });
    expect(consents.entry?.map((e) => (e.resource as Consent).provision?.type)).toEqual(['deny']);
  });

  test('when Twilio answers 21614, then the number is flagged and the next message stops before Twilio', async () => {
    const ctx = createTestContext();
    await seedPatient(ctx, 'evelyn', '201.555.0125');
    const first = await seedPending(ctx, 'evelyn', 'First');
    ctx.sms.failNext({ status: 400, code: 21614 });
    await drainAll(ctx);
    expect(stopCode(await reread(ctx, first))).toBe('twilio-rejected');
    const patient = await ctx.fhir.read('Patient', 'evelyn');
    expect(patient.telecom?.[0]?.extension?.[0]?.valueCoding?.code).toBe('not-mobile');
    const second = await seedPending(ctx, 'evelyn', 'Second');
    await drainAll(ctx);
    expect(ctx.sms.sends).toHaveLength(1);
    expect(stopCode(await reread(ctx, second))).toBe('no-sms-number');
  });

  test('when Twilio answers 429 then accepts, then the message is sent once', async () => {
    const ctx = createTestContext();
    await seedPatient(ctx, 'maria', '2015550123');
    const pending = await seedPending(ctx, 'maria', 'Hi');
    ctx.sms.failNext({ status: 429, code: 20429 });
    await drainAll(ctx);
    expect(ctx.sms.sends).toHaveLength(2);
    expect(ctx.sms.log).toHaveLength(1);
    expect(sidOf(await reread(ctx, pending))).toBe(ctx.sms.log[0]?.sid);
  });

  test('when Twilio accepts but answers 500, then the relay adopts that SMS instead of sending a second', async () => {
    const ctx = createTestContext();
    await seedPatient(ctx, 'maria', '2015550123');
    const pending = await seedPending(ctx, 'maria', 'Hi');
    ctx.sms.failNext({ status: 500, createdAnyway: true });
    await drainAll(ctx);
    expect(ctx.sms.log).toHaveLength(1);
    expect(sidOf(await reread(ctx, pending))).toBe(ctx.sms.log[0]?.sid);
  });

  test('when Twilio keeps failing, then the claim is left for reconciliation, which sends it later exactly once', async () => {
    const ctx = createTestContext();
    await seedPatient(ctx, 'maria', '2015550123');
    const pending = await seedPending(ctx, 'maria', 'Hi');
    ctx.sms.failNext({ status: 503 }, { status: 503 }, { status: 503 });
    await drainAll(ctx);
    expect((await reread(ctx, pending)).status).toBe('in-progress');
    expect(ctx.sms.log).toHaveLength(0);
    await new Promise((resolve) => setTimeout(resolve, 20)); // the claim is older than claimTimeoutMs (0) by the EHR's clock
    await reconcile(ctx, new Date(Date.now() - 60_000));
    await reconcile(ctx, new Date(Date.now() - 60_000));
    expect(ctx.sms.log).toHaveLength(1);
    expect(sidOf(await reread(ctx, pending))).toBe(ctx.sms.log[0]?.sid);
  });

  test('when two relays drain 60 pending messages at once, then each is sent exactly once', async () => {
    const ctx = createTestContext({ settings: { pageSize: 20 } });
    await seedPatient(ctx, 'maria', '2015550123');
    const pending = await Promise.all(Array.from({ length: 60 }, (_, i) => seedPending(ctx, 'maria', `Message ${i}`)));
    const [a, b] = await Promise.all([createOutboxDrain(ctx).request(), createOutboxDrain(ctx).request()]);
    expect(a.outcomes.sent + b.outcomes.sent).toBe(60);
    const bodies = ctx.sms.sends.map((send) => send.body).sort();
    expect(new Set(bodies).size).toBe(60);
    expect(bodies).toHaveLength(60);
    for (const message of pending) expect(sidOf(await reread(ctx, message))).toBeDefined();
  });

  test('when the EHR refuses _include on the pending search, then the relay reads recipients separately and still sends', async () => {
    const ctx = createTestContext();
    await seedPatient(ctx, 'maria', '2015550123');
    const pending = await seedPending(ctx, 'maria', 'No include here');
    const search = ctx.fhir.search.bind(ctx.fhir);
    ctx.fhir.search = (type, params) =>
      params._include
        ? Promise.reject(new FhirStoreError(400, badRequest('_include is not supported')))
        : search(type, params);
    await drainAll(ctx);
    expect(sidOf(await reread(ctx, pending))).toBe(ctx.sms.log[0]?.sid);
  });

  test('everything the relay writes while sending, stopping and refusing validates against the ChartText profiles', async () => {
    const ctx = createTestContext();
    await seedPatient(ctx, 'maria', '2015550123');
    await seedPatient(ctx, 'evelyn', '201.555.0125', 'home');
    await seedPatient(ctx, 'robert', '+12015550124');
    await seedPending(ctx, 'maria', 'ok');
    await seedPending(ctx, 'evelyn', 'no number');
    await seedPending(ctx, 'robert', 'opted out');
    ctx.sms.failNext({ status: 400, code: 21610 });
    await drainAll(ctx);
    expect(await invalidResources(ctx)).toEqual([]);
  });
});

describe('a relay that dies mid-send', () => {
  const dieAt =
    (point: string) =>
    (reached: string): Promise<void> | undefined =>
      reached === point ? new Promise<void>(() => {}) : undefined;

  test.each(['after-claim', 'after-twilio-accept'])(
    'when the relay dies %s, then after reconciliation exactly one SMS exists and the EHR has its SID',
    async (point) => {
      const ctx = createTestContext({ faults: dieAt(point) });
      await seedPatient(ctx, 'maria', '2015550123');
      const pending = await seedPending(ctx, 'maria', 'Only once');
      void createOutboxDrain(ctx).request(); // never finishes: the process "died" at the fault point
      await new Promise((resolve) => setTimeout(resolve, 50));
      const restarted: TestContext = { ...ctx, faults: () => undefined };
      await reconcile(restarted, new Date(Date.now() - 60_000));
      await createOutboxDrain(restarted).request();
      expect(ctx.sms.log.filter((message) => message.body === 'Only once')).toHaveLength(1);
      const saved = await reread(ctx, pending);
      expect(sidOf(saved)).toBe(ctx.sms.log[0]?.sid);
    },
  );
});

describe('reconciling stuck messages', () => {
  test('when a sent message’s callbacks were lost, then reconciliation fetches its final status from Twilio', async () => {
    const ctx = createTestContext();
    await seedPatient(ctx, 'maria', '2015550123');
    const pending = await seedPending(ctx, 'maria', 'Where is my status?');
    await drainAll(ctx);
    const sid = sidOf(await reread(ctx, pending)) ?? '';
    const atTwilio = ctx.sms.log.find((message) => message.sid === sid);
    if (atTwilio) atTwilio.status = 'delivered';
    await new Promise((resolve) => setTimeout(resolve, 20)); // older than stuckAfterMs (0) by the EHR's clock
    const report = await reconcile(ctx, new Date(Date.now() - 60_000));
    expect(report.statusesRefreshed).toBe(1);
    const done = await reread(ctx, pending);
    expect(done.status).toBe('completed');
    expect(twilioStatusOf(done)).toBe('delivered');
  });
});
