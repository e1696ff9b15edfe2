import { describe, expect, test } from 'vitest';
import { isE164, parseThreadKey, threadKey } from './threadKey';

describe('threadKey', () => {
  test.each([
    ['Patient/p0001', '+12015550100', 'Patient/p0001|+12015550100'],
    ['RelatedPerson/rp0001', '+12015550100', 'RelatedPerson/rp0001|+12015550100'],
    ['Patient/123', '+447700900123', 'Patient/123|+447700900123'],
  ])('when the subject is %s and the number %s, then the key is %s', (subject, number, key) => {
    expect(threadKey(subject, number)).toBe(key);
    expect(parseThreadKey(key)).toEqual({ subjectReference: subject, practiceNumberE164: number });
  });

  test.each([
    ['Patient/p0001', '(201) 555-0100', /E\.164/],
    ['Patient/p0001', '12015550100', /E\.164/],
    ['Practitioner/dr-lee', '+12015550100', /Patient or RelatedPerson/],
    ['p0001', '+12015550100', /Patient or RelatedPerson/],
  ])('when the subject is %s and the number %s, then it throws', (subject, number, message) => {
    expect(() => threadKey(subject, number)).toThrow(message);
  });

  test.each([['Patient/x'], ['Patient/x|201'], ['|+12015550100'], ['Organization/p|+12015550100']])(
    'a malformed key %s parses to undefined',
    (key) => {
      expect(parseThreadKey(key)).toBeUndefined();
    },
  );

  test.each([
    ['+12015550100', true],
    ['+1 201 555 0100', false],
    ['+0123456789', false],
    ['+1234567890123456', false],
  ])('isE164(%s) is %s', (value, expected) => {
    expect(isE164(value)).toBe(expected);
  });
});
