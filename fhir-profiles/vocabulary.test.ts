import { describe, expect, test } from 'vitest';
import { CODE_SYSTEMS, CODES, CONCEPTS, codeFrom, EXTERNAL_SYSTEMS, hasCoding, TOKENS } from './vocabulary';

describe('vocabulary', () => {
  test('the SMS medium is v3 ParticipationMode SMSWRIT over http, not https', () => {
    expect(CONCEPTS.smsMedium.coding[0]).toMatchObject({
      system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationMode',
      code: 'SMSWRIT',
    });
    expect(TOKENS.smsMedium).toBe(`${EXTERNAL_SYSTEMS.participationMode}|SMSWRIT`);
  });

  test.each([
    [CONCEPTS.direction('inbound'), CODE_SYSTEMS.direction, 'inbound', true],
    [CONCEPTS.direction('outbound'), CODE_SYSTEMS.direction, 'inbound', false],
    [[CONCEPTS.kind('message'), CONCEPTS.direction('outbound')], CODE_SYSTEMS.direction, 'outbound', true],
    [undefined, CODE_SYSTEMS.direction, 'outbound', false],
  ])('hasCoding(%j, %s, %s) is %s', (concept, system, code, expected) => {
    expect(hasCoding(concept, system, code)).toBe(expected);
  });

  test('codeFrom finds the code of a system among several concepts', () => {
    const category = [CONCEPTS.kind('thread-header'), CONCEPTS.direction('inbound')];
    expect(codeFrom(category, CODE_SYSTEMS.direction)).toBe(CODES.direction.inbound);
    expect(codeFrom(category, CODE_SYSTEMS.task)).toBeUndefined();
  });

  test('every ChartText system lives under the one canonical base', () => {
    for (const uri of Object.values(CODE_SYSTEMS)) expect(uri).toMatch(/^https:\/\/charttext\.org\/fhir\/CodeSystem\//);
  });
});
