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
  /** Lazily computed sort keys, per `code` + direction. */
  sortKeys: Map<string, string | number | undefined>;
}

/** Indexes a resource under every supported search parameter of its type. */
export function indexResource(resource: Resource): IndexedResource {
  const values = new Map<string, readonly IndexValue[]>();
  for (const param of searchParamsOf(resource.resourceType).values()) {
    const extracted = param.extract(resource);
    if (extracted.length > 0) values.set(param.code, extracted);
  }
  const lastUpdated = resource.meta?.lastUpdated ? Date.parse(resource.meta.lastUpdated) : 0;
  return { resource, lastUpdated, values, sortKeys: new Map() };
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

/** True when the indexed resource satisfies the criterion. */
export function matchesCriterion(entry: IndexedResource, criterion: Criterion): boolean {
  const values = entry.values.get(criterion.param.code) ?? [];
  switch (criterion.kind) {
    case 'missing':
      return (values.length === 0) === criterion.missing;
    case 'reference':
      return values.some(
        (v) =>
          v.kind === 'reference' &&
          criterion.values.some((q) =>
            q.ref !== undefined
              ? v.ref === q.ref
              : v.id === q.id &&
                v.type !== undefined &&
                (criterion.targetType ? v.type === criterion.targetType : criterion.param.targets.includes(v.type)),
          ),
      );
    case 'token': {
      const any = values.some(
        (v) => v.kind === 'token' && criterion.values.some((q) => matchesToken(v.system, v.code, q)),
      );
      return criterion.not ? !any : any;
    }
    case 'string':
      return values.some(
        (v) =>
          v.kind === 'string' &&
          criterion.values.some((q) =>
            criterion.mode === 'exact'
              ? v.exact === q
              : criterion.mode === 'contains'
                ? v.norm.includes(q)
                : v.norm.startsWith(q),
          ),
      );
    case 'date':
      return values.some((v) => v.kind === 'date' && criterion.values.some((q) => matchesDate(v, q.prefix, q.range)));
  }
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
  const cacheKey = `${descending ? '-' : ''}${param.code}`;
  if (entry.sortKeys.has(cacheKey)) return entry.sortKeys.get(cacheKey);
  let best: string | number | undefined;
  for (const value of entry.values.get(param.code) ?? []) {
    const key = valueKey(value, descending);
    if (best === undefined || (descending ? key > best : key < best)) best = key;
  }
  entry.sortKeys.set(cacheKey, best);
  return best;
}

/** A comparator for `sort`; missing values sort last, ties break on lastUpdated then id so pages are stable. */
export function compareForSort(sort: readonly SortSpec[]): (a: IndexedResource, b: IndexedResource) => number {
  return (a, b) => {
    for (const { param, descending } of sort) {
      const ka = sortKey(a, param, descending);
      const kb = sortKey(b, param, descending);
      if (ka === kb) continue;
      if (ka === undefined) return 1;
      if (kb === undefined) return -1;
      const order = ka < kb ? -1 : 1;
      return descending ? -order : order;
    }
    if (a.lastUpdated !== b.lastUpdated) return a.lastUpdated - b.lastUpdated;
    const ia = a.resource.id ?? '';
    const ib = b.resource.id ?? '';
    return ia < ib ? -1 : ia > ib ? 1 : 0;
  };
}
