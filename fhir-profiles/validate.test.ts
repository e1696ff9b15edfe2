import { OperationOutcomeError, validateResource } from '@medplum/core';
import type { Communication, Organization, Patient, Resource } from '@medplum/fhirtypes';
import { beforeAll, describe, expect, test } from 'vitest';
import { breakExample, COUNTER_EXAMPLES } from './counterExamples';
import { ensureProfilesBuilt } from './scripts/buildProfiles';
import {
  assertValidChartTextResource,
  chartTextIssues,
  loadChartTextDefinitions,
  loadChartTextExamples,
  validateChartTextResource,
} from './validate';
import { EXTENSIONS, PROFILES } from './vocabulary';

let examples: Resource[] = [];
const example = (id: string): Resource => {
  const found = examples.find((r) => r.id === id);
  if (!found) throw new Error(`No example ${id}`);
  return found;
};

/** Errors @medplum/core's own profile validation reports (to show which gaps the checker closes). */
function medplumProfileErrors(resource: Resource): string[] {
  const url = resource.meta?.profile?.[0] ?? '';
  const profile = loadChartTextDefinitions().profiles.get(url);
  if (!profile) return ['no profile'];
  try {
    return validateResource(resource, { profile: profile.sd })
      .filter((i) => i.severity === 'error')
      .map((i) => i.details?.text ?? '');
  } catch (error) {
    if (!(error instanceof OperationOutcomeError)) throw error;
    return (error.outcome.issue ?? []).filter((i) => i.severity === 'error').map((i) => i.details?.text ?? '');
  }
}

beforeAll(async () => {
  await ensureProfilesBuilt();
  examples = loadChartTextExamples();
}, 120_000);

describe('examples', () => {
  test('every ChartText profile has at least one example', () => {
    const claimed = new Set(examples.flatMap((r) => r.meta?.profile ?? []));
    expect([...claimed].sort()).toEqual(Object.values(PROFILES).sort());
  });

  test.each([
    'thread-p0001',
    'outbound-pending',
    'outbound-delivered',
    'outbound-undelivered',
    'outbound-consent-denied',
    'inbound-reply',
    'unmatched-unknown-number',
    'sms-consent-stop',
    'needs-response-p0001',
    'triage-unknown-number',
  ])('example %s validates with no issue at all', (id) => {
    expect(chartTextIssues(example(id))).toEqual([]);
    expect(validateChartTextResource(example(id))).toBeUndefined();
  });

  test('every example also passes @medplum/core’s own profile validation', () => {
    for (const resource of examples) expect(medplumProfileErrors(resource), resource.id).toEqual([]);
  });
});

describe('counter-examples', () => {
  test.each(COUNTER_EXAMPLES.map((c) => [c.name, c] as const))('when %s, then validation says so', (_name, counter) => {
    const broken = breakExample(example(counter.from), counter);
    const outcome = validateChartTextResource(broken);
    expect(outcome?.resourceType).toBe('OperationOutcome');
    const errors = (outcome?.issue ?? []).filter((i) => i.severity === 'error');
    expect(errors).toContainEqual(
      expect.objectContaining({
        details: { text: expect.stringContaining(counter.message) as unknown },
        expression: [counter.expression],
      }),
    );
    expect(() => assertValidChartTextResource(broken)).toThrow(OperationOutcomeError);
  });

  test.each(COUNTER_EXAMPLES.filter((c) => c.medplumMisses).map((c) => [c.name, c] as const))(
    'when %s, then @medplum/core alone would accept it (a gap the checker closes)',
    (_name, counter) => {
      expect(medplumProfileErrors(breakExample(example(counter.from), counter))).toEqual([]);
    },
  );
});

describe('resources without a ChartText profile', () => {
  const patient = {
    resourceType: 'Patient',
    id: 'p0003',
    telecom: [
      {
        system: 'phone',
        value: '(201) 555-0144',
        use: 'home',
        extension: [{ url: EXTENSIONS.numberFlag, valueString: 'landline' }],
      },
    ],
  } satisfies Patient;

  test('when a Patient carries no ChartText extension, then there is nothing to say', () => {
    expect(validateChartTextResource({ resourceType: 'Patient', id: 'p' })).toBeUndefined();
  });

  test('when a ChartText extension on a Patient has the wrong value type, then it is rejected', () => {
    expect(validateChartTextResource(patient)?.issue).toEqual([
      expect.objectContaining({
        code: 'structure',
        details: { text: 'extension(sms-number-flag).value[x]: valueString is not allowed here; use valueCoding' },
        expression: ['Patient.telecom[0].extension[0].valueString'],
      }),
    ]);
  });

  test('when the practice number is flagged correctly, then the Organization is accepted', () => {
    const practice = {
      resourceType: 'Organization',
      id: 'practice',
      name: 'Riverside Family Medicine',
      telecom: [
        {
          system: 'sms',
          value: '+12015550100',
          extension: [{ url: EXTENSIONS.practiceSmsNumber, valueBoolean: true }],
        },
      ],
    } satisfies Organization;
    expect(validateChartTextResource(practice)).toBeUndefined();
  });
});

describe('inferred profiles', () => {
  test('when a writer forgets meta.profile, then inferProfile still validates against the right profile', () => {
    const { meta: _meta, ...withoutProfile } = example('inbound-reply') as Communication;
    const broken: Communication = { ...withoutProfile, status: 'in-progress' };
    expect(validateChartTextResource(broken)).toBeUndefined();
    expect(validateChartTextResource(broken, { inferProfile: true })?.issue).toContainEqual(
      expect.objectContaining({ details: { text: 'Communication.status must be "completed"' } }),
    );
  });
});

describe('base validation already done by the caller', () => {
  test('when baseValidated is set, then the base checks are skipped and the profile checks still run', () => {
    const reply = example('inbound-reply') as Communication;
    const unknownElement = { ...reply, colour: 'blue' } as Communication;
    expect(validateChartTextResource(unknownElement)).toBeDefined();
    expect(validateChartTextResource(unknownElement, { baseValidated: true })).toBeUndefined();
    expect(
      validateChartTextResource({ ...reply, status: 'in-progress' }, { baseValidated: true })?.issue,
    ).toContainEqual(expect.objectContaining({ details: { text: 'Communication.status must be "completed"' } }));
  });
});
