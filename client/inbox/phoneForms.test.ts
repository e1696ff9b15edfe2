import { describe, expect, test } from 'vitest';
import { formatPhone, sameNumber, toE164 } from './phoneForms';

describe('phone numbers on the front desk', () => {
  test.each([
    ['(201) 555-0123', '+12015550123'],
    ['201.555.0123', '+12015550123'],
    ['1-201-555-0123', '+12015550123'],
    ['+44 20 7946 0958', '+442079460958'],
    ['tel:+12015550123', '+12015550123'],
    ['555-0123', undefined],
    ['', undefined],
  ])('%s is %s in E.164', (written, e164) => {
    expect(toE164(written)).toBe(e164);
  });

  test.each([
    ['+12015550199', '(201) 555-0199'],
    ['+442079460958', '+442079460958'],
  ])('%s shows as %s', (e164, shown) => {
    expect(formatPhone(e164)).toBe(shown);
  });

  test('a chart number matches however it is written', () => {
    expect(sameNumber('201 555 0142', '+12015550142')).toBe(true);
    expect(sameNumber('201 555 0143', '+12015550142')).toBe(false);
  });
});
