import type { Communication } from '@medplum/fhirtypes';
import { describe, expect, test } from 'vitest';
import { retryVersion } from '../../client/thread/retryMessage';
import { IDENTIFIER_SYSTEMS } from '../../fhir-profiles/vocabulary';
import {
  createTestContext,
  seedPatient,
  seedPending,
  type TestContext,
} from '../../test/integration/relay-support/testContext';
import { applyStatusCallback } from './applyStatusCallback';
import { claimOutbound } from './claimOutbound';
import { createOutboxDrain } from './drainOutbox';
import { comparableBody, findSentCopy } from './findSentCopy';
import { previousSidsOf, sidOf } from './outboundFields';

const TO = '+12015550123';

/** A message sent once, failed at the carrier, and retried by the clinician (back in preparation, attempt 2). */
async function failedAndRetried(ctx: TestContext, body: string): Promise<{ retried: Communication; oldSid: string }> {
  await seedPatient(ctx, 'maria', '(201) 555-0123');
  const pending = await seedPending(ctx, 'maria', body);
  await createOutboxDrain(ctx).request();
  const sent = await ctx.fhir.read('Communication', pending.id ?? '');
  const oldSid = sidOf(sent) ?? '';
  await applyStatusCallback(ctx, { sid: oldSid, status: 'undelivered', errorCode: 30003 });
  const failed = await ctx.fhir.read('Communication', pending.id ?? '');
  const retried = await ctx.fhir.update(retryVersion(failed), { ifMatch: failed.meta?.versionId });
  return { retried, oldSid };
}

describe('comparableBody', () => {
  test.each([
    ['It’s “ready” — call us', 'It\'s "ready" - call us'],
    ['  two   spaces\n', 'two spaces'],
  ])('when Twilio echoes %j, then it compares equal to %j', (sent, echoed) => {
    expect(comparableBody(sent)).toBe(comparableBody(echoed));
  });
});

describe('findSentCopy after a Retry', () => {
  test('when the retried message is claimed, then the first attempt’s SMS in Twilio’s log is not taken for it', async () => {
    const ctx = createTestContext();
    const { retried, oldSid } = await failedAndRetried(ctx, 'Your lab results are ready');
    expect(previousSidsOf(retried)).toEqual([oldSid]);
    const claim = await claimOutbound(ctx, retried, TO);
    expect(claim).toBeDefined();
    expect(await findSentCopy(ctx, claim as Communication, TO)).toBeUndefined();
  });

  test('when the retried message is back in preparation, then no SMS is looked for at all', async () => {
    const ctx = createTestContext();
    const { retried } = await failedAndRetried(ctx, 'Your lab results are ready');
    const listed = ctx.sms.list.bind(ctx.sms);
    let lookups = 0;
    ctx.sms.list = (filter) => {
      lookups++;
      return listed(filter);
    };
    expect(await findSentCopy(ctx, retried, TO)).toBeUndefined();
    expect(lookups).toBe(0);
  });

  test('when another message with the same text kept an earlier SID, then that SID is not adopted either', async () => {
    const ctx = createTestContext();
    const { oldSid } = await failedAndRetried(ctx, 'Same words');
    const other = await seedPending(ctx, 'maria', 'Same words');
    const claim = await claimOutbound(ctx, other, TO);
    expect(await findSentCopy(ctx, claim as Communication, TO)).toBeUndefined();
    expect(ctx.sms.log.map((message) => message.sid)).toEqual([oldSid]);
  });

  test('when the new attempt’s own SMS is in the log, then that one is found', async () => {
    const ctx = createTestContext();
    const { retried, oldSid } = await failedAndRetried(ctx, 'Your lab results are ready');
    const claim = (await claimOutbound(ctx, retried, TO)) as Communication;
    const fresh = await ctx.sms.send({ to: TO, body: 'Your lab results are ready', statusCallback: 'https://x' });
    const found = await findSentCopy(ctx, claim, TO);
    expect(found?.sid).toBe(fresh.sid);
    expect(found?.sid).not.toBe(oldSid);
    expect(claim.identifier?.some((i) => i.system === IDENTIFIER_SYSTEMS.twilioMessageSid)).toBe(false);
  });
});
