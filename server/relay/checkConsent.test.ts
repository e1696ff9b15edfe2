import type { Consent } from '@medplum/fhirtypes';
import { describe, expect, test } from 'vitest';
import {
  createTestContext,
  seedPatient,
  seedPending,
  type TestContext,
} from '../../test/integration/relay-support/testContext';
import { consentDecision, loadConsentDecisions, smsConsent } from './checkConsent';
import { createOutboxDrain } from './drainOutbox';

const at = (minutes: number): Date => new Date(Date.parse('2026-11-01T10:00:00.000Z') + minutes * 60_000);

const consent = (patient: string, decision: 'permit' | 'deny', minutes: number): Consent =>
  smsConsent({
    patient,
    decision,
    now: at(minutes),
    organization: 'Organization/practice',
    sourceUrl: 'Communication/x',
    sourceTitle: 'test',
  });

describe('consentDecision', () => {
  test.each<[string, 'permit' | 'deny' | 'none', Consent[]]>([
    ['no consent at all', 'none', []],
    ['a STOP after a START', 'deny', [consent('Patient/a', 'permit', 1), consent('Patient/a', 'deny', 2)]],
    ['a START after a STOP', 'permit', [consent('Patient/a', 'deny', 1), consent('Patient/a', 'permit', 2)]],
    ['an inactive deny', 'none', [{ ...consent('Patient/a', 'deny', 1), status: 'inactive' }]],
  ])('when %s, then the decision is %s', (_case, expected, consents) => {
    expect(consentDecision(consents)).toBe(expected);
  });
});

/** A patient with 1,000 older STARTs (a full page of consents) and a newer STOP, stored last. */
async function crowded(ctx: TestContext): Promise<void> {
  for (let i = 0; i < 1_000; i++) await ctx.fhir.seed(consent('Patient/robert', 'permit', i % 50));
  await ctx.fhir.seed(consent('Patient/robert', 'deny', 60));
  await ctx.fhir.seed(consent('Patient/maria', 'permit', 1));
}

describe('loadConsentDecisions', () => {
  test('when the consents fill more than one page, then every page is read and a STOP on a later page decides', async () => {
    const ctx = createTestContext();
    await crowded(ctx);
    const decisions = await loadConsentDecisions(ctx, ['Patient/maria', 'Patient/robert']);
    expect(decisions.get('Patient/robert')).toBe('deny');
    expect(decisions.get('Patient/maria')).toBe('permit');
  });

  test('when the EHR counts more consents than it returns and links no next page, then nothing is sent on a guess', async () => {
    const ctx = createTestContext();
    await seedPatient(ctx, 'robert', '+12015550124');
    await crowded(ctx);
    const pending = await seedPending(ctx, 'robert', 'Are you coming Tuesday?');
    const search = ctx.fhir.search.bind(ctx.fhir);
    ctx.fhir.search = async (type, params) => {
      const bundle = await search(type, params);
      return type === 'Consent' ? { ...bundle, link: [] } : bundle;
    };
    await createOutboxDrain(ctx).request();
    expect(ctx.sms.sends).toHaveLength(0);
    expect((await ctx.fhir.read('Communication', pending.id ?? '')).status).toBe('preparation');
    expect(ctx.lines.some((line) => line.level === 'error' && line.message.includes('fewer SMS consents'))).toBe(true);
  });
});
