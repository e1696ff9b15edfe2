import { describe, expect, test } from 'vitest';
import { PATIENTS } from '../../sandbox/seed/roster';
import { toE164, writtenForms } from './normalisePhone';

describe('toE164', () => {
  test.each([
    ['(201) 555-0123', '+12015550123'],
    ['201-555-0142', '+12015550142'],
    ['201.555.0125', '+12015550125'],
    ['2015550127', '+12015550127'],
    ['+1 201 555 0126', '+12015550126'],
    ['+1 (201) 555-0133', '+12015550133'],
    ['+1 201-555-0140', '+12015550140'],
    ['tel:+12015550100', '+12015550100'],
    ['  +12015550124 ', '+12015550124'],
  ])('when the chart says %s, then the number is %s', (written, e164) => {
    expect(toE164(written, 'US')).toBe(e164);
  });

  test.each([[''], ['12345'], ['not a number'], [undefined], ['+1 201 555 01234 5678 9012 3456 7890 1234 5678 9']])(
    'when the chart says %s, then there is no number',
    (written) => {
      expect(toE164(written, 'US')).toBeUndefined();
    },
  );
});

describe('writtenForms', () => {
  test('every form the sandbox roster uses is among the forms searched', () => {
    for (const patient of PATIENTS) {
      if (!patient.phone) continue;
      const e164 = toE164(patient.phone, 'US');
      expect(e164, patient.phone).toBeDefined();
      expect(writtenForms(e164 ?? '')).toContain(patient.phone);
    }
  });

  test('every form normalises back to the same number', () => {
    for (const form of writtenForms('+12015550123')) {
      expect(toE164(form, 'US'), form).toBe('+12015550123');
    }
  });

  test('no form carries a character that FHIR search treats as special', () => {
    for (const form of writtenForms('+12015550123')) {
      expect(form).not.toMatch(/[,|$\\]/);
    }
  });

  test('when a caller changes the forms it was given, then the next caller still gets them all', () => {
    const first = writtenForms('+12015550123');
    const count = first.length;
    first.length = 0;
    expect(writtenForms('+12015550123')).toHaveLength(count);
  });
});
