/**
 * Turns a FHIR search query string into a validated SearchQuery. Strict on purpose: a parameter, modifier, prefix or
 * value the sandbox does not support is a 400 naming it, never silently ignored (a real EHR that ignored it would
 * return the wrong rows). Syntax: https://hl7.org/fhir/R4/search.html.
 */
import { badRequest, OperationOutcomeError } from '@medplum/core';
import type { SearchRequest } from '@medplum/core';
import type { DateValue } from './indexValues';
import { normaliseString, parseDateRange, referenceValue } from './indexValues';
import type { DateParam, ReferenceParam, SearchParam, StringParam, TokenParam } from './searchParameters';
import { isSupportedType, SEARCHABLE_TYPES, searchParamsOf } from './searchParameters';

export interface ReferenceQueryValue {
  /** `Type/id` (or the literal absolute reference) when the value names a type; undefined for a bare id. */
  ref: string | undefined;
  id: string;
}

export interface TokenQueryValue {
  /** undefined: any system; null: no system (`|code`); a string: that system. */
  system: string | null | undefined;
  /** undefined: any code in the system (`system|`). */
  code: string | undefined;
}

export type DatePrefix = 'eq' | 'ne' | 'gt' | 'lt' | 'ge' | 'le' | 'sa' | 'eb';

export interface DateQueryValue {
  prefix: DatePrefix;
  range: DateValue;
}

export type Criterion =
  | { kind: 'missing'; param: SearchParam; missing: boolean }
  | { kind: 'reference'; param: ReferenceParam; targetType: string | undefined; values: ReferenceQueryValue[] }
  | { kind: 'token'; param: TokenParam; not: boolean; values: TokenQueryValue[] }
  | { kind: 'string'; param: StringParam; mode: 'start' | 'exact' | 'contains'; values: string[] }
  | { kind: 'date'; param: DateParam; values: DateQueryValue[] };

export interface SortSpec {
  param: SearchParam;
  descending: boolean;
}

export interface IncludeSpec {
  /** The type holding the reference (the searched type for _include, the other type for _revinclude). */
  sourceType: string;
  param: ReferenceParam;
  targetType: string | undefined;
}

export interface SearchQuery {
  resourceType: string;
  /** All must match (AND); each criterion's values are alternatives (OR). */
  criteria: Criterion[];
  sort: SortSpec[];
  count: number;
  offset: number;
  include: IncludeSpec[];
  revinclude: IncludeSpec[];
  /** False for `_total=none`. */
  total: boolean;
  /** The query's parameters except paging, in the order received, for self/next/previous links. */
  echo: [string, string][];
}

export interface SearchLimits {
  defaultCount: number;
  maxCount: number;
}

export const DEFAULT_SEARCH_LIMITS: SearchLimits = { defaultCount: 20, maxCount: 1000 };

/** Raw query: each parameter name with its value(s), as URLSearchParams or Express give them. */
export type RawQuery = Record<string, string | string[] | undefined>;

const DATE_PREFIXES = new Set(['eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb', 'ap']);
/** Result parameters accepted and handled elsewhere (format negotiation) or meaningless here. */
const IGNORED_RESULT_PARAMS = new Set(['_format', '_pretty']);
const FORMATS = new Set(['json', 'application/json', 'application/fhir+json']);

function fail(text: string, expression?: string): never {
  throw new OperationOutcomeError(badRequest(text, expression));
}

/** Splits on commas not escaped with a backslash and unescapes `\,`, `\|`, `\$` and `\\` (search.html#escaping). */
export function splitOrValues(value: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < value.length; i++) {
    const char = value[i];
    if (char === '\\' && i + 1 < value.length) {
      current += `\\${value[i + 1]}`;
      i++;
    } else if (char === ',') {
      parts.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  parts.push(current);
  return parts;
}

function unescapeValue(value: string): string {
  return value.replace(/\\([,|$\\])/g, '$1');
}

/** Index of the first `|` not escaped with a backslash, or -1. */
function unescapedPipe(value: string): number {
  for (let i = 0; i < value.length; i++) {
    if (value[i] === '\\') i++;
    else if (value[i] === '|') return i;
  }
  return -1;
}

function parseToken(value: string): TokenQueryValue {
  const pipe = unescapedPipe(value);
  if (pipe < 0) return { system: undefined, code: unescapeValue(value) };
  const system = unescapeValue(value.slice(0, pipe));
  const code = unescapeValue(value.slice(pipe + 1));
  return { system: system === '' ? null : system, code: code === '' ? undefined : code };
}

function parseReference(param: ReferenceParam, targetType: string | undefined, value: string): ReferenceQueryValue {
  const text = unescapeValue(value);
  if (!text.includes('/')) return { ref: targetType ? `${targetType}/${text}` : undefined, id: text };
  const parsed = referenceValue(text);
  if (targetType && parsed.type !== targetType) {
    fail(`"${text}" is not a ${targetType} reference (modifier :${targetType})`, param.code);
  }
  return { ref: parsed.ref, id: parsed.id ?? text };
}

function parseDate(code: string, value: string): DateQueryValue {
  let prefix: string = 'eq';
  let text = value;
  const head = value.slice(0, 2);
  if (DATE_PREFIXES.has(head) && /^\d/.test(value.slice(2))) {
    prefix = head;
    text = value.slice(2);
  }
  if (prefix === 'ap') fail(`Date prefix "ap" (approximately) is not supported; use ge and le`, code);
  // A "+" in a time zone arrives as a space when the client did not URL-encode it.
  const range = parseDateRange(text.replace(' ', '+'));
  if (!range) fail(`"${value}" is not a valid FHIR date, dateTime or instant for "${code}"`, code);
  return { prefix: prefix as DatePrefix, range };
}

function parseNonNegativeInt(name: string, value: string): number {
  if (!/^\d{1,9}$/.test(value)) fail(`${name} must be a non-negative integer, got "${value}"`, name);
  return Number(value);
}

function supportedParamList(resourceType: string): string {
  return [...searchParamsOf(resourceType).keys()].join(', ');
}

function parseCriterion(resourceType: string, key: string, value: string): Criterion {
  const [code = '', modifier, ...rest] = key.split(':');
  if (code.includes('.')) fail(`Chained search "${key}" is not supported; search the referenced type first`, key);
  const param = searchParamsOf(resourceType).get(code);
  if (!param) {
    fail(
      `Search parameter "${code}" is not supported for ${resourceType}. Supported: ${supportedParamList(resourceType)}`,
      code,
    );
  }
  if (rest.length > 0) fail(`Invalid search parameter name "${key}"`, key);
  if (value === '') fail(`Search parameter "${key}" has no value`, key);
  if (modifier === 'missing') {
    if (value !== 'true' && value !== 'false') fail(`${key} must be true or false`, key);
    return { kind: 'missing', param, missing: value === 'true' };
  }
  const values = splitOrValues(value);
  if (values.some((v) => v === '')) fail(`Search parameter "${key}" has an empty value in "${value}"`, key);
  switch (param.type) {
    case 'reference': {
      let targetType: string | undefined;
      if (modifier !== undefined) {
        if (!param.targets.includes(modifier)) {
          fail(
            `Modifier ":${modifier}" is not supported on "${code}" (reference to ${param.targets.join(', ')}); ` +
              'supported: :missing and a target type',
            key,
          );
        }
        targetType = modifier;
      }
      return { kind: 'reference', param, targetType, values: values.map((v) => parseReference(param, targetType, v)) };
    }
    case 'token':
      if (modifier !== undefined && modifier !== 'not') {
        fail(`Modifier ":${modifier}" is not supported on token parameter "${code}"; supported: :not, :missing`, key);
      }
      return { kind: 'token', param, not: modifier === 'not', values: values.map(parseToken) };
    case 'string': {
      if (modifier !== undefined && modifier !== 'exact' && modifier !== 'contains') {
        fail(`Modifier ":${modifier}" is not supported on string parameter "${code}"`, key);
      }
      const mode = modifier === 'exact' ? 'exact' : modifier === 'contains' ? 'contains' : 'start';
      const texts = values.map(unescapeValue);
      return { kind: 'string', param, mode, values: mode === 'exact' ? texts : texts.map(normaliseString) };
    }
    case 'date':
      if (modifier !== undefined) fail(`Modifier ":${modifier}" is not supported on date parameter "${code}"`, key);
      return { kind: 'date', param, values: values.map((v) => parseDate(key, v)) };
  }
}

function parseSort(resourceType: string, value: string): SortSpec[] {
  return value.split(',').map((item) => {
    const descending = item.startsWith('-');
    const code = descending ? item.slice(1) : item;
    const param = searchParamsOf(resourceType).get(code);
    if (!param?.sortable) {
      const sortable = [...searchParamsOf(resourceType).values()].filter((p) => p.sortable).map((p) => p.code);
      fail(`Cannot sort ${resourceType} by "${code}". Sortable: ${sortable.join(', ')}`, '_sort');
    }
    return { param, descending };
  });
}

function parseInclude(name: '_include' | '_revinclude', searchedType: string, value: string): IncludeSpec {
  const [sourceType = '', code, targetType, ...rest] = value.split(':');
  if (value === '*' || code === '*') fail(`${name}=${value}: wildcard includes are not supported`, name);
  if (!code || rest.length > 0) fail(`${name} must be Type:parameter[:targetType], got "${value}"`, name);
  if (name === '_include' && sourceType !== searchedType) {
    fail(`${name}=${value}: the source type must be the searched type ${searchedType}`, name);
  }
  if (!isSupportedType(sourceType)) fail(`${name}=${value}: ${sourceType} is not a supported type`, name);
  const param = searchParamsOf(sourceType).get(code);
  if (param?.type !== 'reference') fail(`${name}=${value}: ${sourceType} has no reference parameter "${code}"`, name);
  if (targetType && !param.targets.includes(targetType)) {
    fail(`${name}=${value}: "${code}" cannot refer to ${targetType}`, name);
  }
  if (name === '_revinclude' && !param.targets.includes(searchedType)) {
    fail(`${name}=${value}: "${sourceType}.${code}" cannot refer to ${searchedType}`, name);
  }
  return { sourceType, param, targetType };
}

/** Parses and validates a search on `resourceType`; throws a 400 OperationOutcomeError naming what is unsupported. */
export function parseSearchQuery(
  resourceType: string,
  raw: RawQuery,
  limits: SearchLimits = DEFAULT_SEARCH_LIMITS,
): SearchQuery {
  if (!SEARCHABLE_TYPES.includes(resourceType)) {
    fail(`Search is not supported for ${resourceType}. Searchable types: ${SEARCHABLE_TYPES.join(', ')}`);
  }
  const query: SearchQuery = {
    resourceType,
    criteria: [],
    sort: [],
    count: limits.defaultCount,
    offset: 0,
    include: [],
    revinclude: [],
    total: true,
    echo: [],
  };
  for (const [key, rawValue] of Object.entries(raw)) {
    for (const value of Array.isArray(rawValue) ? rawValue : rawValue === undefined ? [] : [rawValue]) {
      if (key === '_count') query.count = Math.min(parseNonNegativeInt(key, value), limits.maxCount);
      else if (key === '_offset') query.offset = parseNonNegativeInt(key, value);
      else if (IGNORED_RESULT_PARAMS.has(key)) {
        if (key === '_format' && !FORMATS.has(value)) fail(`_format=${value}: only JSON is supported`, key);
        continue;
      } else {
        query.echo.push([key, value]);
        if (key === '_sort') query.sort.push(...parseSort(resourceType, value));
        else if (key === '_include' || key === '_revinclude') {
          const spec = parseInclude(key, resourceType, value);
          (key === '_include' ? query.include : query.revinclude).push(spec);
        } else if (key === '_total') {
          if (!['none', 'estimate', 'accurate'].includes(value)) fail(`_total must be none, estimate or accurate`, key);
          query.total = value !== 'none';
        } else if (key === '_summary') {
          if (value === 'count') query.count = 0;
          else if (value !== 'false') fail(`_summary=${value} is not supported (only count and false)`, key);
        } else if (key.startsWith('_') && !searchParamsOf(resourceType).has(key.split(':')[0] ?? '')) {
          fail(`Search parameter "${key}" is not supported by this server`, key);
        } else query.criteria.push(parseCriterion(resourceType, key, value));
      }
    }
  }
  return query;
}

const PREFIX_OPERATORS = new Set(['ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb', 'ap']);

/**
 * Rebuilds the raw query of a `@medplum/core` SearchRequest (which FhirRouter produces for conditional
 * interactions and transaction entries), so that it goes through the same strict parser.
 */
export function searchRequestToRawQuery(request: SearchRequest): RawQuery {
  const raw: Record<string, string[]> = {};
  const add = (key: string, value: string): void => {
    (raw[key] ??= []).push(value);
  };
  for (const filter of request.filters ?? []) {
    const op: string = filter.operator;
    if (op === 'eq') add(filter.code, filter.value);
    else if (PREFIX_OPERATORS.has(op)) add(filter.code, `${op}${filter.value}`);
    else add(`${filter.code}:${op}`, filter.value);
  }
  if (request.sortRules?.length) {
    add('_sort', request.sortRules.map((rule) => (rule.descending ? '-' : '') + rule.code).join(','));
  }
  if (request.count !== undefined) add('_count', String(request.count));
  if (request.offset !== undefined) add('_offset', String(request.offset));
  for (const include of request.include ?? []) {
    if (include.modifier) fail(`_include:${include.modifier} is not supported`, '_include');
    add('_include', [include.resourceType, include.searchParam, include.targetType].filter(Boolean).join(':'));
  }
  for (const include of request.revInclude ?? []) {
    if (include.modifier) fail(`_revinclude:${include.modifier} is not supported`, '_revinclude');
    add('_revinclude', [include.resourceType, include.searchParam, include.targetType].filter(Boolean).join(':'));
  }
  if (request.fields) fail('_elements is not supported', '_elements');
  if (request.summary) fail(`_summary=${request.summary} is not supported`, '_summary');
  return raw;
}
