/** docs/fhir.md shows integrators JSON examples: each must be valid against the profile it claims. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Resource } from '@medplum/fhirtypes';
import { beforeAll, expect, test } from 'vitest';
import { PROFILES_ROOT } from './buildOutput';
import { ensureProfilesBuilt } from './scripts/buildProfiles';
import { chartTextIssues } from './validate';
import { PROFILES } from './vocabulary';

const doc = readFileSync(join(PROFILES_ROOT, '..', 'docs', 'fhir.md'), 'utf8');
const examples = [...doc.matchAll(/```json\n([\s\S]*?)\n```/g)].map((m) => JSON.parse(m[1] ?? '') as Resource);

beforeAll(async () => {
  await ensureProfilesBuilt();
}, 120_000);

test('docs/fhir.md shows an example of every profile', () => {
  const claimed = new Set(examples.flatMap((r) => r.meta?.profile ?? []));
  expect([...claimed].sort()).toEqual(Object.values(PROFILES).sort());
});

test.each(examples.map((r) => [r.id, r] as const))('the example %s in docs/fhir.md validates', (_id, resource) => {
  expect(chartTextIssues(resource)).toEqual([]);
});
