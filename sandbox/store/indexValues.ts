/**
 * Values a resource is indexed under, one kind per FHIR search parameter type, and the pure functions that extract
 * them from FHIR data types. See https://hl7.org/fhir/R4/search.html#ptypes.
 */
import type { CodeableConcept, Coding, ContactPoint, HumanName, Identifier, Reference } from '@medplum/fhirtypes';

/** A reference, normalised to `Type/id` when it is a relative literal reference. */
export interface ReferenceValue {
  kind: 'reference';
  /** The index key: `Type/id` for relative references, the literal string otherwise. */
  ref: string;
  type: string | undefined;
  id: string | undefined;
}

/** A token: a code with an optional system (codes, Codings, Identifiers, ContactPoints). */
export interface TokenValue {
  kind: 'token';
  system: string | undefined;
  code: string;
}

/** A string, kept as written and normalised for the default (case- and accent-insensitive) match. */
export interface StringValue {
  kind: 'string';
  exact: string;
  norm: string;
}

/** A date, dateTime or instant as the half-open range [low, high) in epoch milliseconds its precision implies. */
export interface DateValue {
  kind: 'date';
  low: number;
  high: number;
}

export type IndexValue = ReferenceValue | TokenValue | StringValue | DateValue;

const RELATIVE_REFERENCE = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[A-Za-z0-9\-.]{1,64})?$/;
const ABSOLUTE_TAIL = /\/([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[A-Za-z0-9\-.]{1,64})?$/;

/** Parses a literal reference string (`Patient/1`, `Patient/1/_history/2`, an absolute URL or a urn). */
export function referenceValue(reference: string): ReferenceValue {
  const relative = RELATIVE_REFERENCE.exec(reference);
  if (relative) {
    const [, type, id] = relative;
    return { kind: 'reference', ref: `${type}/${id}`, type, id };
  }
  const absolute = ABSOLUTE_TAIL.exec(reference);
  return { kind: 'reference', ref: reference, type: absolute?.[1], id: absolute?.[2] };
}

/** Reference values of the literal references among `references` (logical identifiers are not indexed). */
export function referenceValues(...references: (Reference | Reference[] | undefined)[]): ReferenceValue[] {
  const out: ReferenceValue[] = [];
  for (const item of references.flat()) {
    if (item?.reference) out.push(referenceValue(item.reference));
  }
  return out;
}

/** Token values of a plain `code` element. */
export function codeTokens(code: string | undefined): TokenValue[] {
  return code ? [{ kind: 'token', system: undefined, code }] : [];
}

/** Token values of Codings and CodeableConcepts. */
export function conceptTokens(...concepts: (CodeableConcept | CodeableConcept[] | Coding | undefined)[]): TokenValue[] {
  const out: TokenValue[] = [];
  for (const concept of concepts.flat()) {
    if (!concept) continue;
    const codings: Coding[] = 'coding' in concept ? (concept.coding ?? []) : [concept];
    for (const coding of codings) {
      if (coding.code) out.push({ kind: 'token', system: coding.system, code: coding.code });
    }
  }
  return out;
}

/** Token values of Identifiers (system|value). */
export function identifierTokens(identifiers: Identifier[] | Identifier | undefined): TokenValue[] {
  const list = Array.isArray(identifiers) ? identifiers : identifiers ? [identifiers] : [];
  return list.flatMap((identifier) =>
    identifier.value ? [{ kind: 'token' as const, system: identifier.system, code: identifier.value }] : [],
  );
}

/**
 * Token values of ContactPoints, optionally of one `system` (phone, email, …). The value is indexed exactly as
 * written: like HAPI or Epic, the sandbox does not normalise phone numbers, so callers must try the written forms.
 */
export function telecomTokens(telecom: ContactPoint[] | undefined, system?: ContactPoint['system']): TokenValue[] {
  return (telecom ?? []).flatMap((point) =>
    point.value && (!system || point.system === system)
      ? [{ kind: 'token' as const, system: undefined, code: point.value }]
      : [],
  );
}

/** Lower case without diacritics, for the default string match ("garcia" finds "García"). */
export function normaliseString(value: string): string {
  return value
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
}

/** String values of the given strings. */
export function stringValues(...values: (string | string[] | undefined)[]): StringValue[] {
  return values
    .flat()
    .filter((value): value is string => typeof value === 'string' && value.length > 0)
    .map((value) => ({ kind: 'string', exact: value, norm: normaliseString(value) }));
}

/** String values of HumanNames: the part asked for, or every part and the text. */
export function humanNameStrings(names: HumanName[] | undefined, part?: 'family' | 'given'): StringValue[] {
  return (names ?? []).flatMap((name) => {
    if (part === 'family') return stringValues(name.family);
    if (part === 'given') return stringValues(name.given);
    return stringValues(name.text, name.family, name.given, name.prefix, name.suffix);
  });
}

const DATE_PATTERN =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

/**
 * Parses a FHIR date, dateTime or instant (or a search value of those forms) into the range its precision covers.
 * A time without a zone is read as UTC. Returns undefined when the text is not such a value.
 */
export function parseDateRange(text: string): DateValue | undefined {
  const match = DATE_PATTERN.exec(text);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = match;
  const year = Number(y);
  const month = mo ? Number(mo) - 1 : 0;
  const day = d ? Number(d) : 1;
  if (month > 11 || day < 1 || day > 31) return undefined;
  if (h === undefined) {
    const low = Date.UTC(year, month, day);
    const high = d ? Date.UTC(year, month, day + 1) : mo ? Date.UTC(year, month + 1, 1) : Date.UTC(year + 1, 0, 1);
    return { kind: 'date', low, high };
  }
  const hours = Number(h);
  const minutes = Number(mi);
  const seconds = s ? Number(s) : 0;
  if (hours > 23 || minutes > 59 || seconds > 60) return undefined;
  const millis = frac ? Number(frac.slice(0, 3).padEnd(3, '0')) : 0;
  let offsetMinutes = 0;
  if (zone && zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    offsetMinutes = sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  }
  const low = Date.UTC(year, month, day, hours, minutes, seconds, millis) - offsetMinutes * 60_000;
  const width = frac ? 1 : s ? 1000 : 60_000;
  return { kind: 'date', low, high: low + width };
}

/** Date values of the given FHIR date/dateTime/instant strings (invalid ones are skipped). */
export function dateValues(...values: (string | undefined)[]): DateValue[] {
  return values.flatMap((value) => {
    const range = value ? parseDateRange(value) : undefined;
    return range ? [range] : [];
  });
}
