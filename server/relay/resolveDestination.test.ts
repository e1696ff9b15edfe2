import type { ContactPoint } from '@medplum/fhirtypes';
import { describe, expect, test } from 'vitest';
import { CODE_SYSTEMS, CODES, EXTENSIONS } from '../../fhir-profiles/vocabulary';
import { resolveDestination } from './resolveDestination';

const now = new Date('2026-11-01T15:00:00Z');
const flag = {
  url: EXTENSIONS.numberFlag,
  valueCoding: { system: CODE_SYSTEMS.numberFlag, code: CODES.numberFlag.landline },
};

describe('resolveDestination', () => {
  test.each<[string, ContactPoint[], string]>([
    ['a mobile phone', [{ system: 'phone', use: 'mobile', value: '(201) 555-0123' }], '+12015550123'],
    ['an sms contact point without use', [{ system: 'sms', value: '201.555.0129' }], '+12015550129'],
    [
      'home first, mobile second',
      [
        { system: 'phone', use: 'home', value: '201-555-0101' },
        { system: 'phone', use: 'mobile', value: '2015550127' },
      ],
      '+12015550127',
    ],
    [
      'sms+mobile beats phone+mobile',
      [
        { system: 'phone', use: 'mobile', value: '2015550127' },
        { system: 'sms', use: 'mobile', value: '2015550128' },
      ],
      '+12015550128',
    ],
    [
      'rank decides between two mobiles',
      [
        { system: 'phone', use: 'mobile', value: '2015550127', rank: 2 },
        { system: 'phone', use: 'mobile', value: '2015550128', rank: 1 },
      ],
      '+12015550128',
    ],
    [
      'a flagged mobile is skipped for the next one',
      [
        { system: 'phone', use: 'mobile', value: '2015550127', extension: [flag] },
        { system: 'phone', use: 'mobile', value: '2015550128' },
      ],
      '+12015550128',
    ],
  ])('when the recipient has %s, then the SMS goes to %s', (_name, telecom, e164) => {
    expect(resolveDestination(telecom, 'US', now)).toMatchObject({ ok: true, e164 });
  });

  test.each<[string, ContactPoint[] | undefined, RegExp]>([
    ['no telecom', undefined, /no mobile or SMS number/],
    ['only a landline (home phone)', [{ system: 'phone', use: 'home', value: '201.555.0125' }], /no mobile or SMS/],
    [
      'only a work phone and an email',
      [
        { system: 'phone', use: 'work', value: '2015550125' },
        { system: 'email', value: 'a@b.c' },
      ],
      /no mobile/,
    ],
    [
      'a mobile flagged as a landline',
      [{ system: 'phone', use: 'mobile', value: '2015550125', extension: [flag] }],
      /flagged/,
    ],
    ['an old mobile', [{ system: 'phone', use: 'old', value: '2015550125' }], /no mobile/],
    [
      'a mobile whose period ended',
      [{ system: 'phone', use: 'mobile', value: '2015550125', period: { end: '2020-01-01' } }],
      /ended/,
    ],
    ['a mobile that is not a number', [{ system: 'phone', use: 'mobile', value: 'ask at desk' }], /invalid/],
  ])('when the recipient has %s, then there is no destination', (_name, telecom, reason) => {
    const result = resolveDestination(telecom, 'US', now);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });
});
