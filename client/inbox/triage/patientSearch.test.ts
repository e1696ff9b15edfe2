import { describe, expect, test } from 'vitest';
import { patientSearchParams, readDate, readPatientQuery } from './patientSearch';

describe('readPatientQuery', () => {
  test.each([
    ['', { kind: 'empty' }],
    ['Kim', { kind: 'person', name: 'Kim' }],
    ['garcía maría', { kind: 'person', name: 'garcía maría' }],
    ['Kim 1988-08-27', { kind: 'person', name: 'Kim', birthDate: '1988-08-27' }],
    ['8/27/1988', { kind: 'person', birthDate: '1988-08-27' }],
    ['(201) 555-0199', { kind: 'phone', e164: '+12015550199' }],
    ['+1 201 555 0199', { kind: 'phone', e164: '+12015550199' }],
    ['k', { kind: 'invalid', message: 'Type at least two letters of a name.' }],
    [
      '555-01999',
      { kind: 'invalid', message: 'That does not look like a phone number: type 10 digits, e.g. 201 555 0123.' },
    ],
  ])('"%s" is %j', (text, query) => {
    expect(readPatientQuery(text)).toEqual(query);
  });
});

describe('readDate', () => {
  test.each([
    ['1968-04-12', '1968-04-12'],
    ['4/12/1968', '1968-04-12'],
    ['1968-02-30', undefined],
    ['13/01/1968', undefined],
  ])('%s is %s', (text, iso) => {
    expect(readDate(text)).toBe(iso);
  });
});

describe('patientSearchParams', () => {
  test('a name and a birth date: each word must match a name part, and the birth date', () => {
    const params = patientSearchParams({ kind: 'person', name: 'Ana Torres', birthDate: '1984-11-23' });
    expect(params?.getAll('name')).toEqual(['Ana', 'Torres']);
    expect(params?.get('birthdate')).toBe('1984-11-23');
  });

  test('a phone number is searched in the forms charts write it', () => {
    const forms = patientSearchParams({ kind: 'phone', e164: '+12015550142' })?.get('phone')?.split(',');
    expect(forms).toEqual(expect.arrayContaining(['+12015550142', '(201) 555-0142', '201-555-0142', '201.555.0142']));
  });
});
