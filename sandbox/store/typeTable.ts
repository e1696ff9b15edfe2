/**
 * The current resources of one type with their indexes: reference and token values map to ids, and a write-ordered
 * list answers `_lastUpdated=gt…` polls without scanning. Every change bumps `generation`, which invalidates cached
 * sorted results.
 */
import type { VersionRecord } from './versionRecord';
import type { IndexedResource } from './matchSearch';

export class TypeTable {
  readonly current = new Map<string, IndexedResource>();
  /** Every version of every id, oldest first (deletes included). */
  readonly history = new Map<string, VersionRecord[]>();
  /** param code → reference key (`Type/id`) → ids. */
  readonly references = new Map<string, Map<string, Set<string>>>();
  /** param code → code/value → ids. */
  readonly tokens = new Map<string, Map<string, Set<string>>>();
  /** (lastUpdated, id) in write order, i.e. ascending lastUpdated; entries of replaced versions are skipped on read. */
  updates: { ms: number; id: string }[] = [];
  generation = 0;

  constructor(
    readonly resourceType: string,
    /** Told of every change, after it is applied (keeps cached search results current). */
    private readonly onChange?: (
      table: TypeTable,
      previous: IndexedResource | undefined,
      next: IndexedResource | undefined,
    ) => void,
  ) {}

  /** Makes `entry` the current version of its id (or removes the id when entry is undefined). */
  setCurrent(id: string, entry: IndexedResource | undefined): void {
    const previous = this.current.get(id);
    if (previous) this.unindex(id, previous);
    if (entry) {
      this.current.set(id, entry);
      this.index(id, entry);
    } else {
      this.current.delete(id);
    }
    this.generation++;
    this.onChange?.(this, previous, entry);
  }

  private index(id: string, entry: IndexedResource): void {
    for (const [code, values] of entry.values) {
      for (const value of values) {
        if (value.kind === 'reference') add(this.references, code, value.ref, id);
        else if (value.kind === 'token') add(this.tokens, code, value.code, id);
      }
    }
  }

  private unindex(id: string, entry: IndexedResource): void {
    for (const [code, values] of entry.values) {
      for (const value of values) {
        if (value.kind === 'reference') remove(this.references, code, value.ref, id);
        else if (value.kind === 'token') remove(this.tokens, code, value.code, id);
      }
    }
  }

  /** Position of the first write at or after `fromMs` in the write-ordered list. */
  private firstUpdateAt(fromMs: number): number {
    let lo = 0;
    let hi = this.updates.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.updates[mid]?.ms ?? 0) < fromMs) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** An upper bound of how many ids updatedSince(fromMs) returns, without building the set. */
  updatedSinceCount(fromMs: number): number {
    return this.updates.length - this.firstUpdateAt(fromMs);
  }

  /** Ids whose current version has lastUpdated ≥ `fromMs` (binary search over the write-ordered list). */
  updatedSince(fromMs: number): Set<string> {
    const ids = new Set<string>();
    for (let i = this.firstUpdateAt(fromMs); i < this.updates.length; i++) {
      const update = this.updates[i];
      if (update && this.current.get(update.id)?.lastUpdated === update.ms) ids.add(update.id);
    }
    return ids;
  }

  /** Records a write for `updatedSince`; compacts the list when most entries are stale. */
  noteUpdate(ms: number, id: string): void {
    const last = this.updates[this.updates.length - 1];
    this.updates.push({ ms, id });
    if (last && last.ms > ms) this.updates.sort((a, b) => a.ms - b.ms);
    if (this.updates.length > 1024 && this.updates.length > 2 * this.current.size) {
      this.updates = this.updates.filter((u) => this.current.get(u.id)?.lastUpdated === u.ms);
    }
  }
}

function add(index: Map<string, Map<string, Set<string>>>, code: string, key: string, id: string): void {
  let byKey = index.get(code);
  if (!byKey) index.set(code, (byKey = new Map<string, Set<string>>()));
  let ids = byKey.get(key);
  if (!ids) byKey.set(key, (ids = new Set<string>()));
  ids.add(id);
}

function remove(index: Map<string, Map<string, Set<string>>>, code: string, key: string, id: string): void {
  const ids = index.get(code)?.get(key);
  if (!ids) return;
  ids.delete(id);
  if (ids.size === 0) index.get(code)?.delete(key);
}
