import { describe, expect, test } from 'vitest';
import { FAMILY_NUMBER_E164, PATIENTS, SPECIAL_PATIENTS, UNKNOWN_NUMBER_E164 } from '../seed/roster';
import { isValidE164, normalizeToE164 } from './phoneNumbers';
import { phoneKey, rosterDeliveryFailures, rosterInitialOptOuts, rosterPhones } from './rosterPhones';

describe('phone numbers', () => {
  test.each([
    ['(201) 555-0123', '+12015550123'],
    ['+12015550124', '+12015550124'],
    ['201.555.0125', '+12015550125'],
    ['+1 201 555 0126', '+12015550126'],
    ['2015550127', '+12015550127'],
    ['+1 (201) 555-0133', '+12015550133'],
    ['+1 201-555-0140', '+12015550140'],
  ])('when a chart writes %j, then it normalises to %s', (written, e164) => {
    expect(normalizeToE164(written)).toBe(e164);
  });

  test.each(['', '12345', '+1555', 'call me'])('when a chart writes %j, then it is no number', (written) => {
    expect(normalizeToE164(written)).toBeUndefined();
  });

  test.each([
    ['+12015550123', true],
    ['+442071838750', true],
    ['12015550123', false],
    ['+1 201 555 0123', false],
    ['+1555', false],
    ['+0123456789', false],
  ])('isValidE164(%j) is %s', (value, valid) => {
    expect(isValidE164(value)).toBe(valid);
  });
});

describe('roster phones', () => {
  const phones = rosterPhones();

  test('when patients share the family number, then they share one phone', () => {
    const family = phones.filter((phone) => phone.number === FAMILY_NUMBER_E164);
    expect(family).toHaveLength(1);
    expect(family[0]?.owners).toEqual(['Ana Torres', 'Lucas Torres']);
  });

  test('every patient with a number has a phone, the unknown number too, and no patient without one', () => {
    const withNumber = PATIENTS.filter((patient) => patient.phone !== undefined);
    const numbers = new Set(withNumber.map((patient) => normalizeToE164(patient.phone ?? '')));
    expect(phones.map((phone) => phone.number).sort()).toEqual([...numbers, UNKNOWN_NUMBER_E164].sort());
    expect(phones.find((phone) => phone.number === UNKNOWN_NUMBER_E164)?.kind).toBe('unknown');
  });

  test('phone keys are opaque and stable', () => {
    expect(phoneKey('+12015550123')).toBe(phoneKey('+12015550123'));
    expect(phoneKey('+12015550123')).toMatch(/^p[0-9a-f]{10}$/);
    expect(phoneKey('+12015550123')).not.toContain('555');
  });

  test('the landline-only patient gets 30006 and the opted-out patient starts opted out', () => {
    const landline = PATIENTS.find((patient) => patient.id === SPECIAL_PATIENTS.landlineOnly);
    const optedOut = PATIENTS.find((patient) => patient.id === SPECIAL_PATIENTS.optedOut);
    expect(rosterDeliveryFailures()).toEqual([
      { to: normalizeToE164(landline?.phone ?? ''), status: 'undelivered', errorCode: 30006 },
    ]);
    expect(rosterInitialOptOuts().map((entry) => entry.phone)).toEqual([normalizeToE164(optedOut?.phone ?? '')]);
    expect(phones.find((phone) => phone.number === normalizeToE164(landline?.phone ?? ''))?.kind).toBe('landline');
  });
});
