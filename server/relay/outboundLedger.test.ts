/**
 * The relay's ledger of outbound versions (docs/decisions/093): status callbacks without reads, no request for a
 * report that changes nothing, and the EHR's version winning whenever the ledger is behind it.
 */
import type { Communication } from '@medplum/fhirtypes';
import { describe, expect, test } from 'vitest';
import { retryVersion } from '../../client/thread/retryMessage';
import {
  createTestContext,
  seedPatient,
  seedPending,
  type TestContext,
} from '../../test/integration/relay-support/testContext';
import { applyStatusCallback, type StatusReport } from './applyStatusCallback';
import { createOutboxDrain } from './drainOutbox';
import { sendAttemptOf, sidOf, twilioStatusOf } from './outboundFields';
import { createOutboundLedger } from './outboundLedger';

async function sentMessage(ctx: TestContext): Promise<{ message: Communication; report: (s: string) => StatusReport }> {
  await seedPatient(ctx, 'maria', '2015550123');
  const pending = await seedPending(ctx, 'maria', 'Your results are in');
  await createOutboxDrain(ctx).request();
  const message = await ctx.fhir.read('Communication', pending.id ?? '');
  const sid = sidOf(message) ?? '';
  return {
    message,
    report: (status) => ({
      sid,
      status: status as StatusReport['status'],
      communicationId: message.id ?? '',
      attempt: sendAttemptOf(message),
    }),
  };
}

describe('status callbacks against the ledger', () => {
  test('when the callbacks of a message the relay sent arrive, then none reads, and one that changes nothing makes no request', async () => {
    const ctx = createTestContext();
    const { message, report } = await sentMessage(ctx);
    expect(twilioStatusOf(message)).toBe('queued');

    const calls = (): number => ctx.fhir.calls;
    let before = calls();
    expect(await applyStatusCallback(ctx, report('queued'))).toBe('unchanged');
    expect(calls() - before).toBe(0);

    before = calls();
    expect(await applyStatusCallback(ctx, report('sent'))).toBe('applied');
    expect(calls() - before).toBe(1);

    before = calls();
    expect(await applyStatusCallback(ctx, report('sent'))).toBe('unchanged');
    expect(await applyStatusCallback(ctx, report('queued'))).toBe('unchanged');
    expect(calls() - before).toBe(0);

    expect(await applyStatusCallback(ctx, report('delivered'))).toBe('applied');
    const stored = await ctx.fhir.read('Communication', message.id ?? '');
    expect(stored.status).toBe('completed');
    expect(twilioStatusOf(stored)).toBe('delivered');
  });

  test('when someone else wrote the message since (a Retry), then the late callback of the old SMS changes nothing', async () => {
    const ctx = createTestContext();
    const { message, report } = await sentMessage(ctx);
    const retried = await ctx.fhir.update(retryVersion(message), { ifMatch: message.meta?.versionId });

    expect(await applyStatusCallback(ctx, report('delivered'))).toBe('unchanged');
    const stored = await ctx.fhir.read('Communication', message.id ?? '');
    expect(stored.meta?.versionId).toBe(retried.meta?.versionId);
    expect(stored.status).toBe('preparation');
  });

  test('when another process wrote a later status, then the callback computed on the older version loses nothing', async () => {
    const ctx = createTestContext();
    const { message, report } = await sentMessage(ctx);
    // Another relay applied `delivered` (its own ledger); this relay still remembers `queued`.
    const other = { ...createTestContext(), fhir: ctx.fhir };
    expect(await applyStatusCallback(other, report('delivered'))).toBe('applied');

    expect(await applyStatusCallback(ctx, report('sent'))).toBe('unchanged');
    const stored = await ctx.fhir.read('Communication', message.id ?? '');
    expect(twilioStatusOf(stored)).toBe('delivered');
    expect(stored.status).toBe('completed');
  });

  test('when a relay that never saw the message gets its callback, then it reads it and applies the status', async () => {
    const ctx = createTestContext();
    const { message, report } = await sentMessage(ctx);
    const fresh = { ...createTestContext(), fhir: ctx.fhir };
    expect(await applyStatusCallback(fresh, report('sent'))).toBe('applied');
    expect(twilioStatusOf(await ctx.fhir.read('Communication', message.id ?? ''))).toBe('sent');
  });
});

describe('the ledger itself', () => {
  const version = (id: string, versionId: string): Communication => ({
    resourceType: 'Communication',
    id,
    status: 'in-progress',
    meta: { versionId },
  });

  test('when an older version is remembered after a newer one, then the newer one stays', () => {
    const ledger = createOutboundLedger();
    ledger.remember(version('a', '3'));
    ledger.remember(version('a', '2'));
    expect(ledger.known('a')?.meta?.versionId).toBe('3');
  });

  test('when more messages than its capacity pass, then the least recently used are forgotten', () => {
    const ledger = createOutboundLedger(2);
    ledger.remember(version('a', '1'));
    ledger.remember(version('b', '1'));
    ledger.known('a');
    ledger.remember(version('c', '1'));
    expect(ledger.known('b')).toBeUndefined();
    expect(ledger.known('a')).toBeDefined();
    expect(ledger.known('c')).toBeDefined();
  });

  test('when work on one message is in its turn, then the next waits for it, and a stuck turn holds it back only so long', async () => {
    const ledger = createOutboundLedger();
    const order: string[] = [];
    let finishFirst!: () => void;
    const first = ledger.inTurn('a', async () => {
      await new Promise<void>((resolve) => {
        finishFirst = resolve;
      });
      order.push('first');
    });
    const second = ledger.inTurn('a', () => {
      order.push('second');
      return Promise.resolve();
    });
    const other = ledger.inTurn('b', () => {
      order.push('other message');
      return Promise.resolve();
    });
    await other;
    finishFirst();
    await Promise.all([first, second]);
    expect(order).toEqual(['other message', 'first', 'second']);

    const stuck = ledger.inTurn('c', () => new Promise<void>(() => undefined));
    const started = Date.now();
    await ledger.inTurn('c', () => Promise.resolve(), 50);
    expect(Date.now() - started).toBeLessThan(2_000);
    void stuck;
  });
});
