/**
 * The front desk's patient search when linking a text from an unknown number: one box that takes a name, a birth
 * date, both, or a phone number, turned into a standard Patient search (name, birthdate, phone:
 * https://hl7.org/fhir/R4/patient.html#search). Pure.
 */
import { toE164, writtenForms } from '../phoneForms';

export type PatientQuery =
  | { kind: 'empty' }
  | { kind: 'invalid'; message: string }
  | { kind: 'phone'; e164: string }
  | { kind: 'person'; name?: string; birthDate?: string };

/** `1968-04-12`, `4/12/1968` or `04/12/1968` as an ISO date; undefined otherwise. */
export function readDate(text: string): string | undefined {
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const us = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text);
  const [year, month, day] = iso
    ? [iso[1], iso[2], iso[3]]
    : us
      ? [us[3], us[1]?.padStart(2, '0'), us[2]?.padStart(2, '0')]
      : [];
  if (!year || !month || !day) return undefined;
  const date = new Date(`${year}-${month}-${day}T00:00:00Z`);
  return Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== `${year}-${month}-${day}`
    ? undefined
    : `${year}-${month}-${day}`;
}

/** What the user typed, read as a search. */
export function readPatientQuery(text: string): PatientQuery {
  const trimmed = text.trim();
  if (trimmed === '') return { kind: 'empty' };
  if (/^[+\d\s().-]+$/.test(trimmed) && trimmed.replace(/\D/g, '').length >= 7 && !readDate(trimmed)) {
    const e164 = toE164(trimmed);
    return e164
      ? { kind: 'phone', e164 }
      : { kind: 'invalid', message: 'That does not look like a phone number: type 10 digits, e.g. 201 555 0123.' };
  }
  const words = trimmed.split(/\s+/);
  const dates = words.map(readDate);
  const birthDate = dates.find((d): d is string => d !== undefined);
  const name = words
    .filter((_, i) => dates[i] === undefined)
    .join(' ')
    .replace(/,/g, ' ')
    .trim();
  if (!birthDate && name.length < 2) return { kind: 'invalid', message: 'Type at least two letters of a name.' };
  return { kind: 'person', ...(name ? { name } : {}), ...(birthDate ? { birthDate } : {}) };
}

/** The Patient search for a query (undefined when there is nothing to search). */
export function patientSearchParams(query: PatientQuery, count = 20): URLSearchParams | undefined {
  if (query.kind === 'phone') {
    return new URLSearchParams([
      ['phone', writtenForms(query.e164).join(',')],
      ['_count', String(count)],
    ]);
  }
  if (query.kind !== 'person') return undefined;
  const params = new URLSearchParams();
  // Each word must match a part of the name (FHIR string search: starts-with, case- and accent-insensitive).
  for (const word of (query.name ?? '').split(/\s+/).filter(Boolean)) params.append('name', word);
  if (query.birthDate) params.append('birthdate', query.birthDate);
  params.append('_count', String(count));
  return params;
}
