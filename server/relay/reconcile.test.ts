import type { Communication } from '@medplum/fhirtypes';
import { describe, expect, test } from 'vitest';
import { CODES, CONCEPTS, EXTENSIONS, IDENTIFIER_SYSTEMS, PROFILES } from '../../fhir-profiles/vocabulary';
import {
  createTestContext,
  PRACTICE_NUMBER,
  seedPatient,
  seedPending,
  type TestContext,
} from '../../test/integration/relay-support/testContext';
import { fakeSid } from '../../test/integration/relay-support/fakeSmsGateway';
import { createReconciler, reconcile } from './reconcile';
import { claimed } from './recordSendResult';
import { SmsGatewayError, type ListFilter } from './smsGateway';

/** Records the window start of every log read. */
function watchWindow(ctx: TestContext): Date[] {
  const starts: Date[] = [];
  const list = ctx.sms.list.bind(ctx.sms);
  ctx.sms.list = (filter: ListFilter) => {
    if (filter.dateSentAfter && !filter.dateSentBefore) starts.push(filter.dateSentAfter);
    return list(filter);
  };
  return starts;
}

/** An outbound message the relay sent and recorded, still without a final status. */
async function seedSentWithSid(ctx: TestContext, sid: string): Promise<Communication> {
  return ctx.fhir.seed<Communication>({
    resourceType: 'Communication',
    meta: { profile: [PROFILES.outboundMessage] },
    status: 'in-progress',
    identifier: [{ system: IDENTIFIER_SYSTEMS.twilioMessageSid, value: sid }],
    extension: [{ url: EXTENSIONS.twilioStatus, valueCode: 'sent' }],
    category: [CONCEPTS.kind(CODES.communicationKind.message), CONCEPTS.direction(CODES.direction.outbound)],
    medium: [CONCEPTS.smsMedium],
    subject: { reference: 'Patient/maria' },
    recipient: [{ reference: 'Patient/maria' }],
    sent: new Date().toISOString(),
    payload: [{ contentString: 'Hello' }],
  });
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('the reconciliation window', () => {
  test('when Twilio no longer knows a sent message’s SID, then every pass skips it and the window still moves', async () => {
    const ctx = createTestContext();
    await seedSentWithSid(ctx, fakeSid());
    const starts = watchWindow(ctx);
    const reconciler = createReconciler(ctx, 1_000);
    await pause(20);
    const first = await reconciler.run();
    const second = await reconciler.run();
    expect(first).toMatchObject({ errors: 0, skipped: 1 });
    expect(second).toMatchObject({ errors: 0, skipped: 1 });
    const [firstStart, secondStart] = starts;
    expect((secondStart?.getTime() ?? 0) - (firstStart?.getTime() ?? 0)).toBeGreaterThan(30 * 60_000);
    const loud = ctx.lines.filter((line) => line.level === 'error' && line.message.includes('for good'));
    expect(loud).toHaveLength(1);
  });

  test('when Twilio is unreachable for a status, then the pass reports an error and the window stays', async () => {
    const ctx = createTestContext();
    await seedSentWithSid(ctx, fakeSid());
    ctx.sms.fetch = () => Promise.reject(new SmsGatewayError('Twilio answered 503', { status: 503, ambiguous: false }));
    const starts = watchWindow(ctx);
    const reconciler = createReconciler(ctx, 1_000);
    await pause(20);
    expect(await reconciler.run()).toMatchObject({ errors: 1, skipped: 0 });
    await reconciler.run();
    // Still the first pass's lookback (an hour back), not the first pass's start.
    expect((starts[1]?.getTime() ?? 0) - (starts[0]?.getTime() ?? 0)).toBeLessThan(5_000);
  });

  test('when more texts arrived during an outage than one page of Twilio’s log holds, then the oldest are filed too', async () => {
    const ctx = createTestContext();
    await seedPatient(ctx, 'maria', '(201) 555-0123');
    const total = 5_050;
    const start = Date.now() - 50 * 60_000;
    // Oldest first, so the fake log (newest first) lists them like Twilio; one text per half second.
    const sids: string[] = [];
    for (let i = 0; i < total; i++) {
      const at = new Date(start + i * 500).toISOString();
      const message = ctx.sms.receive({
        from: '+12015550123',
        to: PRACTICE_NUMBER,
        body: `Text ${i}`,
        dateCreated: at,
        dateSent: at,
      });
      sids.push(message.sid);
    }
    // The newest 5,000 reached the EHR before it went down; the 50 oldest did not.
    for (const sid of sids.slice(50)) {
      await ctx.fhir.repo.createResource<Communication>({
        resourceType: 'Communication',
        status: 'completed',
        identifier: [{ system: IDENTIFIER_SYSTEMS.twilioMessageSid, value: sid }],
      });
    }
    const report = await reconcile(ctx, new Date(start - 60_000));
    expect(report).toMatchObject({ inboundChecked: total, inboundFiled: 50, errors: 0 });
  }, 60_000);
});

describe('claims left without a SID', () => {
  test('when claimed-at (the claiming relay’s clock) says old but the EHR wrote the claim just now, then it is not taken over', async () => {
    const ctx = createTestContext({ settings: { claimTimeoutMs: 60_000 } });
    await seedPatient(ctx, 'maria', '(201) 555-0123');
    const pending = await seedPending(ctx, 'maria', 'In flight');
    // A relay whose clock runs ten minutes behind claims the message.
    const skewed = new Date(Date.now() - 10 * 60_000);
    await ctx.fhir.update(claimed(pending, skewed, '+12015550123'), { ifMatch: pending.meta?.versionId });
    const report = await reconcile(ctx, new Date(Date.now() - 60_000));
    expect(report.claimsResent).toBe(0);
    expect(ctx.sms.sends).toHaveLength(0);
    expect((await ctx.fhir.read('Communication', pending.id ?? '')).status).toBe('in-progress');
  });
});
