import type { CodeSystem, StructureDefinition, ValueSet } from '@medplum/fhirtypes';
import { describe, expect, test } from 'vitest';
import { expandRequiredValueSets, requiredValueSets } from './expandValueSets';

const SYSTEM = 'urn:test:colours';
const colours: CodeSystem = {
  resourceType: 'CodeSystem',
  url: SYSTEM,
  status: 'active',
  content: 'complete',
  concept: [{ code: 'red' }, { code: 'blue', concept: [{ code: 'navy' }] }],
};
const valueSet = (url: string, compose: ValueSet['compose']): ValueSet => ({
  resourceType: 'ValueSet',
  url,
  status: 'active',
  compose,
});
const library: (CodeSystem | ValueSet)[] = [
  colours,
  valueSet('urn:vs:all', { include: [{ system: SYSTEM }] }),
  valueSet('urn:vs:two', { include: [{ system: SYSTEM, concept: [{ code: 'red' }, { code: 'navy' }] }] }),
  valueSet('urn:vs:nested', { include: [{ valueSet: ['urn:vs:two'] }] }),
  valueSet('urn:vs:not-navy', {
    include: [{ system: SYSTEM }],
    exclude: [{ system: SYSTEM, concept: [{ code: 'navy' }] }],
  }),
  valueSet('urn:vs:filtered', {
    include: [{ system: SYSTEM, filter: [{ property: 'concept', op: 'is-a', value: 'blue' }] }],
  }),
  valueSet('urn:vs:external', { include: [{ system: 'urn:ietf:bcp:47' }] }),
];
const resolve = <T extends CodeSystem | ValueSet>(type: T['resourceType'], url: string): Promise<T | undefined> =>
  Promise.resolve(library.find((r) => r.resourceType === type && r.url === url) as T | undefined);

const boundTo = (url: string, strength: 'required' | 'extensible'): StructureDefinition => ({
  resourceType: 'StructureDefinition',
  url: `urn:sd:${url}`,
  name: 'Test',
  status: 'active',
  kind: 'resource',
  abstract: false,
  type: 'Basic',
  snapshot: { element: [{ path: 'Basic.code', binding: { strength, valueSet: `${url}|1.0` } }] },
});

describe('expandRequiredValueSets', () => {
  test.each([
    ['a whole code system, with nested concepts', 'urn:vs:all', ['red', 'blue', 'navy']],
    ['listed concepts', 'urn:vs:two', ['red', 'navy']],
    ['an included value set', 'urn:vs:nested', ['red', 'navy']],
    ['an exclusion', 'urn:vs:not-navy', ['red', 'blue']],
  ])('expands %s', async (_name, url, codes) => {
    const { expanded, skipped } = await expandRequiredValueSets([boundTo(url, 'required')], resolve, 'T');
    expect(skipped).toEqual([]);
    expect(expanded[0]?.expansion?.contains?.map((c) => c.code)).toEqual(codes);
  });

  test.each([
    ['filters', 'urn:vs:filtered'],
    ['systems with no CodeSystem', 'urn:vs:external'],
    ['unknown value sets', 'urn:vs:missing'],
  ])('leaves out %s (their bindings are not checked)', async (_name, url) => {
    const { expanded, skipped } = await expandRequiredValueSets([boundTo(url, 'required')], resolve, 'T');
    expect(expanded).toEqual([]);
    expect(skipped).toEqual([url]);
  });

  test('only required bindings count, without their version', () => {
    expect(requiredValueSets([boundTo('urn:vs:all', 'required'), boundTo('urn:vs:two', 'extensible')])).toEqual([
      'urn:vs:all',
    ]);
  });
});
