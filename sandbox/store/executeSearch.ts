/**
 * Runs a parsed SearchQuery against the type tables: picks the most selective index (reference, token, _id,
 * `_lastUpdated` lower bound, compartment) for candidates, checks every criterion on the pre-extracted values,
 * sorts on pre-computed keys and caches the sorted result; a write updates each cached result in place (binary
 * search, not a re-sort), so paging a long thread is a slice even while messages arrive.
 */
import type { IndexedResource } from './matchSearch';
import { compareEntries, matchesCriterion, sortEntries } from './matchSearch';
import type { Criterion, IncludeSpec, SearchQuery, SortSpec } from './parseSearchQuery';
import { indexedInPatientCompartment, patientCompartmentParams } from './patientCompartment';
import { searchParamsOf } from './searchParameters';
import type { TypeTable } from './typeTable';

export interface SearchOptions {
  /** Restrict matches to the compartment of this Patient id (SMART `patient/` scopes). */
  compartmentPatient?: string;
}

export interface SearchResult {
  total: number;
  /** The requested page, in order. */
  matches: IndexedResource[];
  /** Resources added by _include and _revinclude (not matches themselves). */
  included: IndexedResource[];
}

const CACHE_SIZE = 64;
/**
 * Results built from fewer candidates than this are recomputed on each search, not cached: they cost microseconds,
 * and caching them (an inbox page asks for 25 threads' latest messages every 15 s, each a search of its own) would
 * push the results that are expensive to rebuild, every open Task of a 5,000-thread inbox sorted, out of the cache.
 */
const CACHE_MIN_CANDIDATES = 256;

/** Without `_sort`, results come oldest change first (stable under paging). */
function defaultSort(resourceType: string): SortSpec[] {
  const param = searchParamsOf(resourceType).get('_lastUpdated');
  return param ? [{ param, descending: false }] : [];
}

const EMPTY: ReadonlySet<string> = new Set();

/** The union of index sets; a single set is returned as is (callers only read it). */
function union(sets: (ReadonlySet<string> | undefined)[]): ReadonlySet<string> {
  const present = sets.filter((set): set is ReadonlySet<string> => !!set && set.size > 0);
  if (present.length <= 1) return present[0] ?? EMPTY;
  const out = new Set<string>();
  for (const set of present) for (const id of set) out.add(id);
  return out;
}

/** Candidate ids from an index: their number (or an upper bound of it) and how to list them. */
interface Candidates {
  size: number;
  ids: () => ReadonlySet<string>;
}

/** The index a criterion can be answered from, or undefined when it needs a scan. */
function indexedIds(table: TypeTable, criterion: Criterion): Candidates | undefined {
  const code = criterion.param.code;
  switch (criterion.kind) {
    case 'reference': {
      const byRef = table.references.get(code);
      const keys = criterion.values.flatMap((q) =>
        q.ref !== undefined
          ? [q.ref]
          : (criterion.targetType ? [criterion.targetType] : criterion.param.targets).map((t) => `${t}/${q.id}`),
      );
      const ids = union(keys.map((key) => byRef?.get(key)));
      return { size: ids.size, ids: () => ids };
    }
    case 'token': {
      if (criterion.not || criterion.values.some((q) => q.code === undefined)) return undefined;
      const byCode = table.tokens.get(code);
      const ids = union(criterion.values.map((q) => (q.code === undefined ? undefined : byCode?.get(q.code))));
      return { size: ids.size, ids: () => ids };
    }
    case 'date': {
      if (code !== '_lastUpdated' || criterion.values.length !== 1) return undefined;
      const [value] = criterion.values;
      if (!value) return undefined;
      const from =
        value.prefix === 'gt' || value.prefix === 'sa'
          ? value.range.high
          : value.prefix === 'ge'
            ? value.range.low
            : undefined;
      if (from === undefined) return undefined;
      return { size: table.updatedSinceCount(from), ids: () => table.updatedSince(from) };
    }
    case 'missing':
    case 'string':
      return undefined;
  }
}

function compartmentIds(table: TypeTable, resourceType: string, patientId: string): ReadonlySet<string> {
  const key = `Patient/${patientId}`;
  const sets = (patientCompartmentParams(resourceType) ?? []).map((code) => table.references.get(code)?.get(key));
  if (resourceType === 'Patient' && table.current.has(patientId)) sets.push(new Set([patientId]));
  return union(sets);
}

interface CachedResult {
  resourceType: string;
  /** The table generation the result is current for. */
  generation: number;
  sorted: IndexedResource[];
  query: SearchQuery;
  options: SearchOptions;
  sort: SortSpec[];
}

/** The cache key of a query: what it matches and how it sorts (not the page, includes or total). */
function cacheKey(query: SearchQuery, options: SearchOptions): string {
  return JSON.stringify([
    query.resourceType,
    options.compartmentPatient ?? null,
    query.echo.filter(([name]) => !['_include', '_revinclude', '_total', '_summary'].includes(name)),
  ]);
}

/** First index in `sorted` whose entry does not order before `entry` (after it, when `after`). */
function bound(sorted: IndexedResource[], entry: IndexedResource, sort: SortSpec[], after: boolean): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const item = sorted[mid];
    const cmp = item ? compareEntries(item, entry, sort) : 1;
    if (cmp < 0 || (after && cmp === 0)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The search engine over a set of type tables. */
export class SearchEngine {
  private readonly cache = new Map<string, CachedResult>();

  constructor(private readonly tableOf: (resourceType: string) => TypeTable | undefined) {}

  /** Forgets every cached result (after a bulk load). */
  clear(): void {
    this.cache.clear();
  }

  private matches(entry: IndexedResource, cached: CachedResult): boolean {
    const patient = cached.options.compartmentPatient;
    if (patient && !indexedInPatientCompartment(entry, patient)) return false;
    return cached.query.criteria.every((criterion) => matchesCriterion(entry, criterion));
  }

  /** Keeps cached results of `table`'s type current after one resource changed from `previous` to `next`. */
  applyChange(table: TypeTable, previous: IndexedResource | undefined, next: IndexedResource | undefined): void {
    for (const [key, cached] of this.cache) {
      if (cached.resourceType !== table.resourceType) continue;
      if (cached.generation !== table.generation - 1) {
        this.cache.delete(key);
        continue;
      }
      if (previous && this.matches(previous, cached)) {
        let at = bound(cached.sorted, previous, cached.sort, false);
        if (cached.sorted[at] !== previous) at = cached.sorted.indexOf(previous);
        if (at >= 0) cached.sorted.splice(at, 1);
      }
      if (next && this.matches(next, cached)) {
        cached.sorted.splice(bound(cached.sorted, next, cached.sort, true), 0, next);
      }
      cached.generation = table.generation;
    }
  }

  /** Runs `query`; the page is `query.offset`…`+query.count` of the sorted matches. */
  run(query: SearchQuery, options: SearchOptions = {}): SearchResult {
    const table = this.tableOf(query.resourceType);
    if (!table) return { total: 0, matches: [], included: [] };
    const sorted = this.sortedMatches(table, query, options);
    const matches = sorted.slice(query.offset, query.offset + query.count);
    return { total: sorted.length, matches, included: this.includes(query, matches) };
  }

  /** Whether `query`'s sorted result is cached and current (tests use it to check what the cache keeps). */
  isCached(query: SearchQuery, options: SearchOptions = {}): boolean {
    const table = this.tableOf(query.resourceType);
    return !!table && this.cache.get(cacheKey(query, options))?.generation === table.generation;
  }

  private sortedMatches(table: TypeTable, query: SearchQuery, options: SearchOptions): IndexedResource[] {
    const key = cacheKey(query, options);
    const cached = this.cache.get(key);
    if (cached && cached.generation === table.generation) {
      this.cache.delete(key);
      this.cache.set(key, cached);
      return cached.sorted;
    }
    const sort = query.sort.length > 0 ? query.sort : defaultSort(query.resourceType);
    const { matches, examined } = this.filter(table, query, options);
    const sorted = sortEntries(matches, sort);
    if (examined < CACHE_MIN_CANDIDATES) return sorted;
    this.cache.set(key, {
      resourceType: query.resourceType,
      generation: table.generation,
      sorted,
      query,
      options,
      sort,
    });
    if (this.cache.size > CACHE_SIZE) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    return sorted;
  }

  /** The matches, and how many candidates were checked to find them (what a cache entry would save). */
  private filter(
    table: TypeTable,
    query: SearchQuery,
    options: SearchOptions,
  ): { matches: IndexedResource[]; examined: number } {
    const patient = options.compartmentPatient;
    let chosen: Candidates | undefined;
    if (patient) {
      const ids = compartmentIds(table, query.resourceType, patient);
      chosen = { size: ids.size, ids: () => ids };
    }
    for (const criterion of query.criteria) {
      if (chosen && chosen.size === 0) break;
      const candidates = indexedIds(table, criterion);
      if (candidates && (!chosen || candidates.size < chosen.size)) chosen = candidates;
    }
    const best = chosen?.ids();
    const out: IndexedResource[] = [];
    const consider = (entry: IndexedResource | undefined): void => {
      if (!entry || (patient && !indexedInPatientCompartment(entry, patient))) return;
      for (const criterion of query.criteria) if (!matchesCriterion(entry, criterion)) return;
      out.push(entry);
    };
    if (best) for (const id of best) consider(table.current.get(id));
    else for (const entry of table.current.values()) consider(entry);
    return { matches: out, examined: best ? best.size : table.current.size };
  }

  private includes(query: SearchQuery, matches: IndexedResource[]): IndexedResource[] {
    if (query.include.length === 0 && query.revinclude.length === 0) return [];
    const seen = new Set(matches.map((m) => `${m.resource.resourceType}/${m.resource.id}`));
    const out: IndexedResource[] = [];
    const push = (entry: IndexedResource | undefined): void => {
      if (!entry) return;
      const key = `${entry.resource.resourceType}/${entry.resource.id}`;
      if (seen.has(key)) return;
      seen.add(key);
      out.push(entry);
    };
    for (const spec of query.include) {
      for (const match of matches) {
        for (const value of match.values.get(spec.param.code) ?? []) {
          if (value.kind !== 'reference' || !value.type || !value.id) continue;
          if (spec.targetType && value.type !== spec.targetType) continue;
          push(this.tableOf(value.type)?.current.get(value.id));
        }
      }
    }
    for (const spec of query.revinclude) this.revinclude(spec, query.resourceType, matches, push);
    return out;
  }

  private revinclude(
    spec: IncludeSpec,
    searchedType: string,
    matches: IndexedResource[],
    push: (entry: IndexedResource | undefined) => void,
  ): void {
    if (spec.targetType && spec.targetType !== searchedType) return;
    const source = this.tableOf(spec.sourceType);
    const byRef = source?.references.get(spec.param.code);
    if (!source || !byRef) return;
    for (const match of matches) {
      for (const id of byRef.get(`${searchedType}/${match.resource.id}`) ?? []) push(source.current.get(id));
    }
  }
}
