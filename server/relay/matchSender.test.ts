import type { Patient, RelatedPerson } from '@medplum/fhirtypes';
import { describe, expect, test } from 'vitest';
import { decideSender, senderSearch, type SenderMatch } from './matchSender';

const patient = (id: string, value: string, extra: Partial<Patient> = {}): Patient => ({
  resourceType: 'Patient',
  id,
  telecom: [{ system: 'phone', use: 'mobile', value }],
  ...extra,
});
const relative = (id: string, forPatient: string, value: string): RelatedPerson => ({
  resourceType: 'RelatedPerson',
  id,
  patient: { reference: `Patient/${forPatient}` },
  telecom: [{ system: 'phone', value }],
});

const NUMBER = '+12015550142';

describe('decideSender', () => {
  test.each<[string, Patient[], RelatedPerson[], SenderMatch]>([
    [
      'one patient, written nationally',
      [patient('ana', '(201) 555-0142')],
      [],
      { kind: 'one', participant: 'Patient/ana', patient: 'Patient/ana' },
    ],
    [
      'one patient, dotted',
      [patient('ana', '201.555.0142')],
      [],
      { kind: 'one', participant: 'Patient/ana', patient: 'Patient/ana' },
    ],
    [
      'only a relative',
      [],
      [relative('miguel', 'lucas', '201-555-0142')],
      { kind: 'one', participant: 'RelatedPerson/miguel', patient: 'Patient/lucas' },
    ],
    [
      'the patient and their relative (a child’s chart holds the parent’s phone)',
      [patient('lucas', '201-555-0142')],
      [relative('miguel', 'lucas', '201-555-0142')],
      { kind: 'one', participant: 'Patient/lucas', patient: 'Patient/lucas' },
    ],
    [
      'the shared family number (two patients and a relative)',
      [patient('ana', '(201) 555-0142'), patient('lucas', '201-555-0142')],
      [relative('miguel', 'lucas', '201-555-0142')],
      { kind: 'several', patients: ['Patient/ana', 'Patient/lucas'] },
    ],
    [
      'two relatives of one patient',
      [],
      [relative('miguel', 'lucas', '2015550142'), relative('rosa', 'lucas', '2015550142')],
      { kind: 'several', patients: ['Patient/lucas'] },
    ],
    ['nobody', [], [], { kind: 'none' }],
    ['a search hit whose number differs once normalised', [patient('x', '201-555-0143')], [], { kind: 'none' }],
    ['an inactive patient', [patient('old', '2015550142', { active: false })], [], { kind: 'none' }],
    [
      'a fax with the number',
      [{ resourceType: 'Patient', id: 'fax', telecom: [{ system: 'fax', value: '2015550142' }] }],
      [],
      { kind: 'none' },
    ],
  ])('when the number belongs to %s, then the match is %o', (_name, patients, related, expected) => {
    expect(decideSender(NUMBER, patients, related, 'US')).toEqual(expected);
  });

  test('when the sender is not a phone number (short code, alphanumeric), then nobody matches', () => {
    expect(decideSender(undefined, [patient('ana', '2015550142')], [], 'US')).toEqual({ kind: 'none' });
  });
});

describe('senderSearch', () => {
  test('searches telecom with every written form in one OR list', () => {
    const params = senderSearch(NUMBER);
    const forms = String(params.telecom).split(',');
    expect(forms).toEqual(
      expect.arrayContaining([
        '+12015550142',
        '(201) 555-0142',
        '201-555-0142',
        '201.555.0142',
        '2015550142',
        '+1 201 555 0142',
      ]),
    );
  });
});
