import type { CapabilityStatement, CapabilityStatementRestResource } from '@medplum/fhirtypes';
import { describe, expect, test } from 'vitest';
import { EHR_REQUIREMENTS } from '../../fhir-profiles/requirements';
import type { CheckResult } from './checkResult';
import { checkCapabilityStatement } from './checkCapabilityStatement';

/** A CapabilityStatement offering exactly what ChartText's requirements list (every expectation). */
function complete(): CapabilityStatement {
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: '2026-01-01',
    kind: 'instance',
    fhirVersion: '4.0.1',
    format: ['json'],
    rest: [
      {
        mode: 'server',
        resource: EHR_REQUIREMENTS.map((req): CapabilityStatementRestResource => ({
          type: req.type,
          interaction: req.interactions.map((i) => ({ code: i.code })),
          searchParam: (req.search ?? []).map((s) => ({ name: s.name, type: s.type })),
          ...(req.conditionalCreate ? { conditionalCreate: true } : {}),
          ...(req.versionedUpdate ? { versioning: 'versioned-update' as const } : {}),
        })),
      },
    ],
  };
}

const resource = (cs: CapabilityStatement, type: string): CapabilityStatementRestResource => {
  const found = cs.rest?.[0]?.resource?.find((r) => r.type === type);
  if (!found) throw new Error(type);
  return found;
};
const notPassing = (rows: CheckResult[]): [string, string, string][] =>
  rows.filter((row) => row.status !== 'pass').map((row) => [row.status, row.check, row.detail]);

describe('checkCapabilityStatement', () => {
  test('when the EHR offers every requirement, then every row passes', () => {
    expect(notPassing(checkCapabilityStatement(complete()))).toEqual([]);
  });

  test.each<[string, (cs: CapabilityStatement) => void, [string, string, string][]]>([
    [
      'Communication cannot be created (as on an EHR whose API does not take it)',
      (cs) => {
        const c = resource(cs, 'Communication');
        c.interaction = c.interaction?.filter((i) => i.code !== 'create');
      },
      [['fail', 'FHIR Communication', 'missing (needed): create']],
    ],
    [
      'a needed Communication search is missing',
      (cs) => {
        const c = resource(cs, 'Communication');
        c.searchParam = c.searchParam?.filter((p) => p.name !== 'part-of');
      },
      [['fail', 'FHIR Communication', 'missing (needed): search by part-of']],
    ],
    [
      'a recommended search is missing',
      (cs) => {
        const p = resource(cs, 'Patient');
        p.searchParam = p.searchParam?.filter((s) => s.name !== 'birthdate');
      },
      [['warn', 'FHIR Patient', 'missing (recommended): search by birthdate']],
    ],
    [
      '_lastUpdated is declared for all resources at the rest level',
      (cs) => {
        for (const r of cs.rest?.[0]?.resource ?? [])
          r.searchParam = r.searchParam?.filter((p) => p.name !== '_lastUpdated');
        if (cs.rest?.[0]) cs.rest[0].searchParam = [{ name: '_lastUpdated', type: 'date' }];
      },
      [],
    ],
    [
      'no conditional create',
      (cs) => delete resource(cs, 'Communication').conditionalCreate,
      [
        [
          'fail',
          'Conditional create Communication',
          expect.stringContaining('conditionalCreate is not true') as string,
        ],
      ],
    ],
    [
      'no If-Match',
      (cs) => (resource(cs, 'Communication').versioning = 'versioned'),
      [['fail', 'Versioned update Communication', expect.stringContaining('versioning is versioned,') as string]],
    ],
    [
      'no Subscription (optional)',
      (cs) => {
        if (cs.rest?.[0]) cs.rest[0].resource = cs.rest[0].resource?.filter((r) => r.type !== 'Subscription');
      },
      [['warn', 'FHIR Subscription', 'not in the CapabilityStatement; missing (optional): create, search']],
    ],
    ['FHIR STU3', (cs) => (cs.fhirVersion = '3.0.1'), [['fail', 'FHIR version', 'fhirVersion is 3.0.1']]],
  ])('when %s, then exactly those rows do not pass', (_name, cripple, expected) => {
    const cs = complete();
    cripple(cs);
    expect(notPassing(checkCapabilityStatement(cs))).toEqual(expected);
  });

  test('when Communication is missing, then the fix says plainly that ChartText cannot run there', () => {
    const cs = complete();
    if (cs.rest?.[0]) cs.rest[0].resource = cs.rest[0].resource?.filter((r) => r.type !== 'Communication');
    const row = checkCapabilityStatement(cs).find((r) => r.check === 'FHIR Communication');
    expect(row).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/^not in the CapabilityStatement/) as string,
    });
    expect(row?.fix).toMatch(/cannot run against this FHIR server/);
  });

  test('when the relay is set to FHIR_SUBSCRIPTION=auto and the EHR has no Subscription, then it warns to turn it off', () => {
    const cs = complete();
    if (cs.rest?.[0]) cs.rest[0].resource = cs.rest[0].resource?.filter((r) => r.type !== 'Subscription');
    const row = checkCapabilityStatement(cs, { subscription: 'auto' }).find(
      (r) => r.check === 'FHIR_SUBSCRIPTION=auto',
    );
    expect(row).toMatchObject({ status: 'warn', fix: expect.stringContaining('FHIR_SUBSCRIPTION=off') as string });
  });

  test.each([undefined, { resourceType: 'OperationOutcome' }, 'html'])(
    'when metadata is %j, then one row fails',
    (doc) => {
      expect(notPassing(checkCapabilityStatement(doc)).map(([status, check]) => [status, check])).toEqual([
        ['fail', 'CapabilityStatement'],
      ]);
    },
  );
});
