/**
 * Runs a parsed SearchQuery against the type tables: picks the most selective index (reference, token, _id,
 * `_lastUpdated` lower bound, compartment) for candidates, checks every criterion on the pre-extracted values,
 * sorts on pre-computed keys and caches the sorted ids until the type changes, so paging a long thread is a slice.
 */
import type { IndexedResource } from './matchSearch';
import { compareForSort, matchesCriterion } from './matchSearch';
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

/** Without `_sort`, results come oldest change first (stable under paging). */
function defaultSort(resourceType: string): SortSpec[] {
  const param = searchParamsOf(resourceType).get('_lastUpdated');
  return param ? [{ param, descending: false }] : [];
}

function union(sets: (ReadonlySet<string> | undefined)[]): Set<string> {
  const out = new Set<string>();
  for (const set of sets) for (const id of set ?? []) out.add(id);
  return out;
}

/** Ids a criterion can be answered from by index, or undefined when it needs a scan. */
function indexedIds(table: TypeTable, criterion: Criterion): Set<string> | undefined {
  const code = criterion.param.code;
  switch (criterion.kind) {
    case 'reference': {
      const byRef = table.references.get(code);
      const keys = criterion.values.flatMap((q) =>
        q.ref !== undefined
          ? [q.ref]
          : (criterion.targetType ? [criterion.targetType] : criterion.param.targets).map((t) => `${t}/${q.id}`),
      );
      return union(keys.map((key) => byRef?.get(key)));
    }
    case 'token': {
      if (criterion.not || criterion.values.some((q) => q.code === undefined)) return undefined;
      const byCode = table.tokens.get(code);
      return union(criterion.values.map((q) => (q.code === undefined ? undefined : byCode?.get(q.code))));
    }
    case 'date': {
      if (code !== '_lastUpdated' || criterion.values.length !== 1) return undefined;
      const [value] = criterion.values;
      if (!value) return undefined;
      if (value.prefix === 'gt' || value.prefix === 'sa') return table.updatedSince(value.range.high);
      if (value.prefix === 'ge') return table.updatedSince(value.range.low);
      return undefined;
    }
    case 'missing':
    case 'string':
      return undefined;
  }
}

function compartmentIds(table: TypeTable, resourceType: string, patientId: string): Set<string> {
  const key = `Patient/${patientId}`;
  const ids = union((patientCompartmentParams(resourceType) ?? []).map((code) => table.references.get(code)?.get(key)));
  if (resourceType === 'Patient' && table.current.has(patientId)) ids.add(patientId);
  return ids;
}

/** The search engine over a set of type tables. */
export class SearchEngine {
  private readonly cache = new Map<string, { generation: number; sorted: IndexedResource[] }>();

  constructor(private readonly tableOf: (resourceType: string) => TypeTable | undefined) {}

  /** Runs `query`; the page is `query.offset`…`+query.count` of the sorted matches. */
  run(query: SearchQuery, options: SearchOptions = {}): SearchResult {
    const table = this.tableOf(query.resourceType);
    if (!table) return { total: 0, matches: [], included: [] };
    const sorted = this.sortedMatches(table, query, options);
    const matches = sorted.slice(query.offset, query.offset + query.count);
    return { total: sorted.length, matches, included: this.includes(query, matches) };
  }

  private sortedMatches(table: TypeTable, query: SearchQuery, options: SearchOptions): IndexedResource[] {
    const key = JSON.stringify([
      query.resourceType,
      options.compartmentPatient ?? null,
      query.echo.filter(([name]) => !['_include', '_revinclude', '_total', '_summary'].includes(name)),
    ]);
    const cached = this.cache.get(key);
    if (cached && cached.generation === table.generation) {
      this.cache.delete(key);
      this.cache.set(key, cached);
      return cached.sorted;
    }
    const sorted = this.filter(table, query, options).sort(
      compareForSort(query.sort.length > 0 ? query.sort : defaultSort(query.resourceType)),
    );
    this.cache.set(key, { generation: table.generation, sorted });
    if (this.cache.size > CACHE_SIZE) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    return sorted;
  }

  private filter(table: TypeTable, query: SearchQuery, options: SearchOptions): IndexedResource[] {
    const patient = options.compartmentPatient;
    let best: Set<string> | undefined = patient ? compartmentIds(table, query.resourceType, patient) : undefined;
    for (const criterion of query.criteria) {
      if (best && best.size === 0) break;
      const ids = indexedIds(table, criterion);
      if (ids && (!best || ids.size < best.size)) best = ids;
    }
    const candidates: Iterable<IndexedResource> = best
      ? [...best].flatMap((id) => table.current.get(id) ?? [])
      : table.current.values();
    const out: IndexedResource[] = [];
    for (const entry of candidates) {
      if (patient && !indexedInPatientCompartment(entry, patient)) continue;
      if (query.criteria.every((criterion) => matchesCriterion(entry, criterion))) out.push(entry);
    }
    return out;
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
