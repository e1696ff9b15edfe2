import type { ContactPoint } from '@medplum/fhirtypes';
import { describe, expect, test } from 'vitest';
import { buildScope } from '../../launch/scopes';
import { smsConsent } from '../../test/fixtures/messages';
import { flaggedMobile, patient } from '../../test/fixtures/people';
import { composerAvailability, maskNumber, smsConsentDecision, smsDestination } from './composerAvailability';

const scopes = buildScope('chart', 'v2', true).split(' ');
const withPhones = (...telecom: ContactPoint[]) => patient({ telecom });

describe('smsDestination', () => {
  test.each([
    ['a mobile phone', [{ system: 'phone', use: 'mobile', value: '(201) 555-0123' }], 'ok', '(201) 555-0123'],
    [
      'an sms point before a mobile phone',
      [
        { system: 'phone', use: 'mobile', value: '201-555-0001' },
        { system: 'sms', value: '201-555-0002' },
      ],
      'ok',
      '201-555-0002',
    ],
    ['a home phone only', [{ system: 'phone', use: 'home', value: '201.555.0125' }], 'landline', '201.555.0125'],
    ['no phone', [{ system: 'email', value: 'x@example.org' }], 'none', undefined],
    [
      'an ended mobile and a home phone',
      [
        { system: 'phone', use: 'mobile', value: '201-555-0001', period: { end: '2020-01-01' } },
        { system: 'phone', use: 'home', value: '201-555-0003' },
      ],
      'landline',
      '201-555-0003',
    ],
    ['a mobile flagged as landline', [flaggedMobile('201-555-0124', 'landline')], 'flagged', '201-555-0124'],
    [
      'a flagged mobile and a good one',
      [flaggedMobile('201-555-0124', 'invalid'), { system: 'phone', use: 'mobile', value: '201-555-0199' }],
      'ok',
      '201-555-0199',
    ],
  ] as [string, ContactPoint[], string, string | undefined][])('%s → %s', (_label, telecom, kind, value) => {
    const destination = smsDestination(withPhones(...telecom), new Date('2026-11-01'));
    expect(destination.kind).toBe(kind);
    expect(destination.kind === 'none' ? undefined : destination.point.value).toBe(value);
  });
});

describe('smsConsentDecision', () => {
  test.each([
    ['no consent on file', [], 'permit'],
    ['a deny', [smsConsent('p', 'deny')], 'deny'],
    [
      'a later permit after a deny (START after STOP)',
      [
        smsConsent('p', 'deny', { id: 'd', dateTime: '2026-10-01T00:00:00Z' }),
        smsConsent('p', 'permit', { id: 'p', dateTime: '2026-10-20T00:00:00Z' }),
      ],
      'permit',
    ],
    [
      'a later deny after a permit',
      [
        smsConsent('p', 'permit', { id: 'p', dateTime: '2026-10-01T00:00:00Z' }),
        smsConsent('p', 'deny', { id: 'd', dateTime: '2026-10-20T00:00:00Z' }),
      ],
      'deny',
    ],
    ['an inactive deny', [smsConsent('p', 'deny', { status: 'inactive' })], 'permit'],
  ])('%s → %s', (_label, consents, decision) => {
    expect(smsConsentDecision(consents).decision).toBe(decision);
  });
});

describe('composerAvailability', () => {
  test('when the patient has a mobile and no opt-out, then sending is possible to the masked number', () => {
    expect(composerAvailability({ patient: patient(), consents: [], scopes, scopeForm: 'v2' })).toEqual({
      canSend: true,
      destination: '•••-•••-0123',
    });
  });

  test.each([
    ['no number', withPhones(), [], scopes, 'no-number', /no mobile number on file/],
    [
      'landline only',
      withPhones({ system: 'phone', use: 'home', value: '201.555.0125' }),
      [],
      scopes,
      'landline',
      /0125\) is not a mobile/,
    ],
    [
      'flagged number',
      withPhones(flaggedMobile('+12015550124', 'landline')),
      [],
      scopes,
      'flagged',
      /cannot receive texts — it is a landline/,
    ],
    ['opted out', patient(), [smsConsent('p0001', 'deny')], scopes, 'opted-out', /opted out of texts/],
    [
      'a token that cannot create messages',
      patient(),
      [],
      scopes.filter((s) => !s.startsWith('patient/Communication')).concat('patient/Communication.rs'),
      'cannot-write',
      /\(patient\/Communication\.c\)/,
    ],
  ] as const)(
    'when %s, then the composer is blocked and says why',
    (_label, who, consents, granted, reason, message) => {
      const availability = composerAvailability({ patient: who, consents, scopes: granted, scopeForm: 'v2' });
      expect(availability).toMatchObject({ canSend: false, reason });
      expect(!availability.canSend && availability.message).toMatch(message);
    },
  );

  test.each([
    ['(201) 555-0123', '•••-•••-0123'],
    ['+12015550124', '•••-•••-0124'],
    ['12', '•••'],
    [undefined, '•••'],
  ])('maskNumber(%s) is %s', (value, masked) => {
    expect(maskNumber(value)).toBe(masked);
  });
});
