import { describe, expect, test } from 'vitest';
import { EXTERNAL_SYSTEMS } from '../../fhir-profiles/vocabulary';
import { patient, practice } from '../../test/fixtures/people';
import { fillTemplate, preferredLanguage, templateLanguage, templateValues } from './fillTemplate';
import { placeholdersIn } from './templateFormat';

describe('fillTemplate', () => {
  test.each([
    ['Hi {patientFirstName}!', { patientFirstName: 'María' }, 'Hi María!'],
    ['Hi {patientFirstName}, see {visitLink}', { patientFirstName: 'Ana' }, 'Hi Ana, see {visitLink}'],
    ['Running {delay} late', { delay: '  ' }, 'Running {delay} late'],
    ['No variables', {}, 'No variables'],
    ['{a}{a}', { a: 'x' }, 'xx'],
  ])('"%s" with %j is "%s"', (text, values, filled) => {
    expect(fillTemplate(text, values)).toBe(filled);
  });

  test('what is left to fill is listed once, in order', () => {
    expect(placeholdersIn('At {appointmentTime}: {visitLink} ({appointmentTime})')).toEqual([
      'appointmentTime',
      'visitLink',
    ]);
    expect(placeholdersIn('A price of {5} or { spaced } is not a variable')).toEqual([]);
  });
});

describe('values from the chart', () => {
  test('the patient’s first name, the practice’s name and voice number (not its SMS number), and the file’s links', () => {
    const values = templateValues({
      patient: patient(),
      organization: practice(),
      staffName: 'Jordan Brooks',
      variables: { paymentLink: 'https://pay.example.org' },
    });
    expect(values).toEqual({
      patientFirstName: 'María',
      patientLastName: 'García',
      practiceName: 'Riverside Family Medicine',
      practicePhone: '(201) 555-0101',
      staffName: 'Jordan Brooks',
      paymentLink: 'https://pay.example.org',
    });
  });

  test.each([
    [[{ language: { coding: [{ system: EXTERNAL_SYSTEMS.bcp47, code: 'es' }] }, preferred: true }], 'es'],
    [[{ language: { coding: [{ system: EXTERNAL_SYSTEMS.bcp47, code: 'es-MX' }] } }], 'es'],
    [[{ language: { text: 'en' } }, { language: { coding: [{ code: 'es' }] }, preferred: true }], 'es'],
    [undefined, undefined],
  ])('preferred language of %j is %s', (communication, language) => {
    expect(preferredLanguage(patient({ ...(communication ? { communication } : {}) }))).toBe(language);
  });

  test('a template without the preferred language is written in English', () => {
    const template = { id: 'a', title: { en: 'A' }, text: { en: 'Hi' } };
    expect(templateLanguage(template, 'es')).toBe('en');
    expect(templateLanguage({ ...template, text: { en: 'Hi', es: 'Hola' } }, 'es')).toBe('es');
  });
});
