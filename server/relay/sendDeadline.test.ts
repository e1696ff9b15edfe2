/**
 * The send's hard deadline and its re-read of the claim before each retry (docs/decisions/059), and Retry's earlier
 * attempts through the whole send pipeline (docs/decisions/058).
 */
import type { Communication } from '@medplum/fhirtypes';
import { describe, expect, test } from 'vitest';
import { retryVersion } from '../../client/thread/retryMessage';
import { EXTENSIONS } from '../../fhir-profiles/vocabulary';
import {
  createTestContext,
  seedPatient,
  seedPending,
  type TestContext,
} from '../../test/integration/relay-support/testContext';
import { applyStatusCallback } from './applyStatusCallback';
import { createOutboxDrain } from './drainOutbox';
import { claimed } from './recordSendResult';
import { reconcile } from './reconcile';
import { previousSidsOf, sendAttemptOf, sidOf } from './outboundFields';

/** A context whose clock only moves when the relay sleeps (or a test says so). */
function virtualTime(
  settings: Parameters<typeof createTestContext>[0] = {},
): TestContext & { advance(ms: number): void } {
  const ctx = createTestContext(settings);
  let now = Date.parse('2026-11-01T10:00:00.000Z');
  ctx.clock = {
    now: () => new Date(now),
    sleep: (ms) => {
      now += ms;
      return Promise.resolve();
    },
  };
  return Object.assign(ctx, {
    advance(ms: number) {
      now += ms;
    },
  });
}

async function read(ctx: TestContext, communication: Communication): Promise<Communication> {
  return ctx.fhir.read('Communication', communication.id ?? '');
}

describe('the hard send deadline', () => {
  test('when Twilio keeps answering 429, then no request starts after the deadline and the claim is left to reconciliation', async () => {
    const ctx = virtualTime({
      settings: { sendDeadlineMs: 1_000, sendRetry: { attempts: 50, baseDelayMs: 400, maxDelayMs: 400 } },
    });
    await seedPatient(ctx, 'maria', '2015550123');
    const pending = await seedPending(ctx, 'maria', 'Hi');
    const startedAt: number[] = [];
    const send = ctx.sms.send.bind(ctx.sms);
    ctx.sms.send = (request) => {
      startedAt.push(ctx.clock.now().getTime());
      return send(request);
    };
    ctx.sms.failNext(...Array.from({ length: 50 }, () => ({ status: 429, code: 20429 })));
    const start = ctx.clock.now().getTime();
    const report = await createOutboxDrain(ctx).request();
    expect(report.outcomes.unresolved).toBe(1);
    expect(startedAt.length).toBeGreaterThan(1);
    expect(startedAt.length).toBeLessThan(10);
    for (const at of startedAt) expect(at - start).toBeLessThan(1_000);
    expect((await read(ctx, pending)).status).toBe('in-progress');
  });

  test('when reconciliation takes the claim over between two tries, then the first sender stops and one SMS goes', async () => {
    const ctx = createTestContext();
    await seedPatient(ctx, 'maria', '2015550123');
    const pending = await seedPending(ctx, 'maria', 'Only one please');
    let tookOver = false;
    const send = ctx.sms.send.bind(ctx.sms);
    ctx.sms.send = async (request) => {
      if (!tookOver) {
        tookOver = true;
        // While the first sender backs off, another relay's reconciliation claims the message again.
        const current = await read(ctx, pending);
        await ctx.fhir.update(claimed(current, new Date(), request.to), { ifMatch: current.meta?.versionId });
      }
      return send(request);
    };
    ctx.sms.failNext({ status: 503 });
    const report = await createOutboxDrain(ctx).request();
    expect(report.outcomes.taken).toBe(1);
    expect(ctx.sms.sends).toHaveLength(1);
    expect(ctx.sms.log).toHaveLength(0);
  });
});

describe('Retry through the send pipeline', () => {
  async function failedAndRetried(ctx: TestContext): Promise<{ id: string; oldSid: string }> {
    await seedPatient(ctx, 'maria', '(201) 555-0123');
    const pending = await seedPending(ctx, 'maria', 'Your lab results are ready');
    await createOutboxDrain(ctx).request();
    const first = await read(ctx, pending);
    const oldSid = sidOf(first) ?? '';
    const atTwilio = ctx.sms.log.find((message) => message.sid === oldSid);
    if (atTwilio) atTwilio.status = 'undelivered';
    await applyStatusCallback(ctx, {
      sid: oldSid,
      status: 'undelivered',
      errorCode: 30003,
      communicationId: pending.id ?? '',
      attempt: 1,
    });
    const failed = await read(ctx, pending);
    await ctx.fhir.update(retryVersion(failed), { ifMatch: failed.meta?.versionId });
    return { id: pending.id ?? '', oldSid };
  }

  test('when attempt 1’s late "sent" arrives after Retry, then it changes nothing and the retry is sent', async () => {
    const ctx = createTestContext();
    const { id, oldSid } = await failedAndRetried(ctx);
    const outcome = await applyStatusCallback(ctx, { sid: oldSid, status: 'sent', communicationId: id, attempt: 1 });
    expect(outcome).toBe('unchanged');
    const waiting = await ctx.fhir.read('Communication', id);
    expect(waiting.status).toBe('preparation');
    expect(sidOf(waiting)).toBeUndefined();
    await createOutboxDrain(ctx).request();
    expect(ctx.sms.log).toHaveLength(2);
    const resent = await ctx.fhir.read('Communication', id);
    expect(sidOf(resent)).toBe(ctx.sms.log[0]?.sid);
    expect(sidOf(resent)).not.toBe(oldSid);
    expect(previousSidsOf(resent)).toEqual([oldSid]);
    expect(ctx.sms.sends[1]?.statusCallback).toContain(`&a=${sendAttemptOf(resent)}`);
  });

  test('when the retried send meets an ambiguous Twilio 500, then attempt 1’s SMS is not adopted and the retry is sent', async () => {
    const ctx = createTestContext();
    const { id, oldSid } = await failedAndRetried(ctx);
    ctx.sms.failNext({ status: 500 });
    await createOutboxDrain(ctx).request();
    expect(ctx.sms.log).toHaveLength(2);
    const resent = await ctx.fhir.read('Communication', id);
    expect(sidOf(resent)).toBe(ctx.sms.log[0]?.sid);
    expect(sidOf(resent)).not.toBe(oldSid);
  });

  test('when the relay dies after claiming the retry, then reconciliation sends it instead of adopting attempt 1', async () => {
    const ctx = createTestContext();
    const { id, oldSid } = await failedAndRetried(ctx);
    ctx.faults = (point) => {
      if (point === 'before-twilio') throw new Error('the relay died');
    };
    await createOutboxDrain(ctx).request();
    ctx.faults = () => undefined;
    const orphan = await ctx.fhir.read('Communication', id);
    expect(orphan.status).toBe('in-progress');
    await new Promise((resolve) => setTimeout(resolve, 20)); // older than claimTimeoutMs (0) by the EHR's clock
    const report = await reconcile(ctx, new Date(Date.now() - 60_000));
    expect(report.claimsAdopted).toBe(0);
    expect(report.claimsResent).toBe(1);
    expect(ctx.sms.log).toHaveLength(2);
    const resent = await ctx.fhir.read('Communication', id);
    expect(sidOf(resent)).toBe(ctx.sms.log[0]?.sid);
    expect(sidOf(resent)).not.toBe(oldSid);
    expect(resent.extension?.find((e) => e.url === EXTENSIONS.sendAttempt)?.valuePositiveInt).toBe(
      sendAttemptOf(orphan) + 1,
    );
  });
});
