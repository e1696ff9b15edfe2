/**
 * Pure matching and ordering of indexed resources against a parsed SearchQuery.
 * Date comparisons follow the range semantics of https://hl7.org/fhir/R4/search.html#prefix.
 */
import type { Resource } from '@medplum/fhirtypes';
import type { DateValue, IndexValue } from './indexValues';
import type { Criterion, DatePrefix, SortSpec, TokenQueryValue } from './parseSearchQuery';
import type { SearchParam } from './searchParameters';
import { searchParamsOf } from './searchParameters';

/** A stored resource version with the values it is indexed under. Immutable once built. */
export interface IndexedResource {
  resource: Resource;
  /** Epoch ms of meta.lastUpdated. */
  lastUpdated: number;
  values: ReadonlyMap<string, readonly IndexValue[]>;
}

/** Indexes a resource under every supported search parameter of its type. */
export function indexResource(resource: Resource): IndexedResource {
  const values = new Map<string, readonly IndexValue[]>();
  for (const param of searchParamsOf(resource.resourceType).values()) {
    const extracted = param.extract(resource);
    if (extracted.length > 0) values.set(param.code, extracted);
  }
  const lastUpdated = resource.meta?.lastUpdated ? Date.parse(resource.meta.lastUpdated) : 0;
  return { resource, lastUpdated, values };
}

function matchesDate(target: DateValue, prefix: DatePrefix, search: DateValue): boolean {
  const within = target.low >= search.low && target.high <= search.high;
  switch (prefix) {
    case 'eq':
      return within;
    case 'ne':
      return !within;
    case 'gt':
      return target.high > search.high;
    case 'lt':
      return target.low < search.low;
    case 'ge':
      return within || target.high > search.high;
    case 'le':
      return within || target.low < search.low;
    case 'sa':
      return target.low >= search.high;
    case 'eb':
      return target.high <= search.low;
  }
}

function matchesToken(system: string | undefined, code: string, query: TokenQueryValue): boolean {
  if (query.code !== undefined && query.code !== code) return false;
  if (query.system === undefined) return true;
  return query.system === null ? system === undefined : system === query.system;
}

function matchesReference(v: IndexValue, criterion: Extract<Criterion, { kind: 'reference' }>): boolean {
  if (v.kind !== 'reference') return false;
  for (const q of criterion.values) {
    if (q.ref !== undefined) {
      if (v.ref === q.ref) return true;
    } else if (v.id === q.id && v.type !== undefined) {
      if (criterion.targetType ? v.type === criterion.targetType : criterion.param.targets.includes(v.type))
        return true;
    }
  }
  return false;
}

function matchesValue(v: IndexValue, criterion: Exclude<Criterion, { kind: 'missing' }>): boolean {
  switch (criterion.kind) {
    case 'reference':
      return matchesReference(v, criterion);
    case 'token':
      if (v.kind !== 'token') return false;
      for (const q of criterion.values) if (matchesToken(v.system, v.code, q)) return true;
      return false;
    case 'string':
      if (v.kind !== 'string') return false;
      for (const q of criterion.values) {
        if (
          criterion.mode === 'exact'
            ? v.exact === q
            : criterion.mode === 'contains'
              ? v.norm.includes(q)
              : v.norm.startsWith(q)
        ) {
          return true;
        }
      }
      return false;
    case 'date':
      if (v.kind !== 'date') return false;
      for (const q of criterion.values) if (matchesDate(v, q.prefix, q.range)) return true;
      return false;
  }
}

/** True when the indexed resource satisfies the criterion (plain loops: this runs per candidate per search). */
export function matchesCriterion(entry: IndexedResource, criterion: Criterion): boolean {
  const values = entry.values.get(criterion.param.code);
  if (criterion.kind === 'missing') return (values === undefined || values.length === 0) === criterion.missing;
  let any = false;
  if (values) {
    for (const v of values) {
      if (matchesValue(v, criterion)) {
        any = true;
        break;
      }
    }
  }
  return criterion.kind === 'token' && criterion.not ? !any : any;
}

function valueKey(value: IndexValue, descending: boolean): string | number {
  switch (value.kind) {
    case 'date':
      return descending ? value.high : value.low;
    case 'string':
      return value.norm;
    case 'token':
      return value.code;
    case 'reference':
      return value.ref;
  }
}

/** The key a resource sorts under: the lowest value ascending, the highest descending (search.html#sort). */
function sortKey(entry: IndexedResource, param: SearchParam, descending: boolean): string | number | undefined {
  let best: string | number | undefined;
  for (const value of entry.values.get(param.code) ?? []) {
    const key = valueKey(value, descending);
    if (best === undefined || (descending ? key > best : key < best)) best = key;
  }
  return best;
}

/**
 * Sorts entries by `sort` (decorate-sort-undecorate: each key is computed once per entry, not per comparison).
 * Missing values sort last; ties break on lastUpdated then id, so pages are stable.
 */
function tieBreak(a: IndexedResource, b: IndexedResource): number {
  if (a.lastUpdated !== b.lastUpdated) return a.lastUpdated - b.lastUpdated;
  const ia = a.resource.id ?? '';
  const ib = b.resource.id ?? '';
  return ia < ib ? -1 : ia > ib ? 1 : 0;
}

/** Orders two entries exactly as sortEntries does (for binary search into a sorted list). */
export function compareEntries(a: IndexedResource, b: IndexedResource, sort: readonly SortSpec[]): number {
  for (const { param, descending } of sort) {
    const ka = sortKey(a, param, descending);
    const kb = sortKey(b, param, descending);
    if (ka === kb) continue;
    if (ka === undefined) return 1;
    if (kb === undefined) return -1;
    const cmp = ka < kb ? -1 : 1;
    return descending ? -cmp : cmp;
  }
  return tieBreak(a, b);
}

export function sortEntries(entries: IndexedResource[], sort: readonly SortSpec[]): IndexedResource[] {
  const keys = sort.map(({ param, descending }) => entries.map((entry) => sortKey(entry, param, descending)));
  const order = Uint32Array.from(entries, (_, i) => i);
  order.sort((a, b) => {
    for (let s = 0; s < keys.length; s++) {
      const ka = keys[s]?.[a];
      const kb = keys[s]?.[b];
      if (ka === kb) continue;
      if (ka === undefined) return 1;
      if (kb === undefined) return -1;
      const cmp = ka < kb ? -1 : 1;
      return sort[s]?.descending ? -cmp : cmp;
    }
    const ea = entries[a];
    const eb = entries[b];
    return ea && eb ? tieBreak(ea, eb) : 0;
  });
  return Array.from(order, (i) => entries[i] as IndexedResource);
}
