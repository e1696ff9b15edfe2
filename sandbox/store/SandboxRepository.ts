/**
 * The sandbox EHR's FHIR repository: a @medplum/fhir-router FhirRepository kept in memory, with what
 * MemoryRepository lacks: indexed searches with pre-computed sort keys, transactions that roll back, serialized
 * writes (so If-Match and If-None-Exist hold under concurrency), monotonic integer version ids, a `_lastUpdated`
 * that strictly increases with every write, and durability hooks (a write resolves once it is on disk).
 * Access control and validation live in the FHIR layer (sandbox/fhir/), not here.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { SearchRequest, WithId } from '@medplum/core';
import { badRequest, OperationOutcomeError } from '@medplum/core';
import type { CreateResourceOptions, RepositoryMode, UpdateResourceOptions } from '@medplum/fhir-router';
import { FhirRepository } from '@medplum/fhir-router';
import type { Bundle, Reference, Resource } from '@medplum/fhirtypes';
import type { SearchOptions } from './executeSearch';
import { SearchEngine } from './executeSearch';
import type { IndexedResource } from './matchSearch';
import { indexResource } from './matchSearch';
import { outcome, outcomes, raise } from './outcomes';
import type { SearchLimits, SearchQuery } from './parseSearchQuery';
import { DEFAULT_SEARCH_LIMITS, parseSearchQuery, searchRequestToRawQuery } from './parseSearchQuery';
import { isSupportedType, SUPPORTED_TYPES } from './searchParameters';
import { searchEachReference } from './searchByReference';
import { PendingSyncs } from './pendingSyncs';
import { SerialQueue } from './serialQueue';
import { TypeTable } from './typeTable';
import type { VersionRecord } from './versionRecord';
import type { Durability, SearchPage } from './storeContracts';
import { historyEntries, markCreated } from './storeContracts';

export type { Durability, SearchPage } from './storeContracts';
export { wasCreated } from './storeContracts';
import { recordKey, recordLastUpdated, recordVersion } from './versionRecord';

export interface SandboxRepositoryOptions {
  durability?: Durability;
  /** Resources `reset()` reloads. */
  seed?: () => Resource[];
  limits?: SearchLimits;
}

interface UndoStep {
  table: TypeTable;
  id: string;
  previous: IndexedResource | undefined;
  historyLength: number;
  updateMs: number | undefined;
}

interface TxContext {
  undo: UndoStep[];
  records: VersionRecord[];
}

const ID_PATTERN = /^[A-Za-z0-9\-.]{1,64}$/;
function copy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

export class SandboxRepository extends FhirRepository<undefined> {
  private readonly tables = new Map<string, TypeTable>();
  private readonly engine = new SearchEngine((type) => this.tables.get(type));
  private readonly queue = new SerialQueue();
  private readonly tx = new AsyncLocalStorage<TxContext>();
  private lastMs = 0;
  private closed = false;
  private readonly syncs = new PendingSyncs<TxContext>();
  readonly limits: SearchLimits;

  constructor(private readonly options: SandboxRepositoryOptions = {}) {
    super();
    this.limits = options.limits ?? DEFAULT_SEARCH_LIMITS;
  }

  setMode(_mode: RepositoryMode): void {
    // One node, one copy: reader and writer are the same.
  }

  generateId(): string {
    return randomUUID();
  }

  // ---- loading, reset, close -------------------------------------------------------------------------------------

  /** Replaces the contents with the given versions (history order); no validation, no durability. */
  load(records: Iterable<VersionRecord>): void {
    const list = [...records]; // may be this.versions(): read it before clearing
    this.tables.clear();
    this.engine.clear();
    for (const record of list) {
      const { resourceType, id } = recordKey(record);
      const table = this.tableFor(resourceType);
      const history = table.history.get(id) ?? [];
      history.push(record);
      table.history.set(id, history);
      const entry = record.op === 'put' ? indexResource(record.resource) : undefined;
      table.setCurrent(id, entry);
      if (entry) table.noteUpdate(entry.lastUpdated, id);
      this.lastMs = Math.max(this.lastMs, Date.parse(recordLastUpdated(record)) || 0);
    }
  }

  /** Every stored version, each resource's history oldest first. */
  *versions(): Generator<VersionRecord> {
    for (const table of this.tables.values()) {
      for (const history of table.history.values()) yield* history;
    }
  }

  /** Version records for seed resources: version 1, lastUpdated as given (or the store clock). */
  stampSeed(resources: readonly Resource[]): VersionRecord[] {
    return resources.map((resource) => {
      if (!resource.id) throw new Error(`Seed ${resource.resourceType} has no id`);
      const lastUpdated = resource.meta?.lastUpdated ?? new Date(this.tick()).toISOString();
      return { op: 'put', resource: copy({ ...resource, meta: { ...resource.meta, versionId: '1', lastUpdated } }) };
    });
  }

  /** Wipes everything and reloads the seed, durably. */
  async reset(): Promise<void> {
    await this.queue.run(async () => {
      const records = this.stampSeed(this.options.seed?.() ?? []);
      this.load(records);
      await this.options.durability?.rewrite(records);
    });
  }

  /** Rewrites the data folder as one snapshot of the current versions. */
  async compact(): Promise<void> {
    await this.queue.run(async () => this.options.durability?.rewrite(this.versions()));
  }

  /** Waits for pending writes and releases the data folder; later calls fail. */
  async close(): Promise<void> {
    await this.queue.run(async () => {
      if (this.closed) return;
      this.closed = true;
      await this.options.durability?.close();
    });
  }

  // ---- transactions ----------------------------------------------------------------------------------------------

  /**
   * Runs `callback` alone (no other read or write interleaves), then makes its writes durable as one unit; if the
   * callback throws or the disk write fails, every change it made is undone. Nested calls join the outer one.
   * Group commit (docs/decisions/090): the next transaction may run while this one's sync is in progress, but no
   * caller hears of a write, or reads one, before it is on disk.
   */
  async withTransaction<TResult>(callback: (client: undefined) => Promise<TResult>): Promise<TResult> {
    if (this.tx.getStore()) return callback(undefined);
    const { result, durable } = await this.queue.run(async () => {
      if (this.closed) raise('server-error', 'exception', 'The sandbox store is closed');
      if (this.syncs.failed) raise('server-error', 'exception', this.syncs.failed.message);
      const context: TxContext = { undo: [], records: [] };
      const durability = this.options.durability;
      let value: TResult;
      try {
        value = await this.tx.run(context, () => callback(undefined));
      } catch (err) {
        this.rollback(context);
        throw err;
      }
      // A transaction that wrote nothing may still have read writes whose sync is running: it waits for them too.
      if (!durability || context.records.length === 0) return { result: value, durable: this.syncs.onDisk() };
      const committed = durability.commit(context.records);
      this.syncs.track(context, committed);
      if (durability.shouldCompact?.()) {
        // Waits for the queued syncs; a failed compaction only leaves the log longer.
        await durability.rewrite(this.versions()).catch((err: unknown) => {
          console.warn('sandbox FHIR store: compaction failed:', (err as Error).message);
        });
      }
      return { result: value, durable: committed };
    });
    await this.waitForDisk(durable);
    return result;
  }

  /** Waits for a sync; if it failed, undoes every write not on disk (newest first) and refuses writes from now on. */
  private async waitForDisk(synced: Promise<void>): Promise<void> {
    try {
      await synced;
    } catch (err) {
      await this.queue.run(() => this.syncs.undoAll(err as Error, (context) => this.rollback(context)));
      throw new OperationOutcomeError(outcome('server-error', 'exception', (err as Error).message));
    }
  }

  private rollback(context: TxContext): void {
    for (const step of context.undo.reverse()) {
      const history = step.table.history.get(step.id) ?? [];
      history.length = step.historyLength;
      if (history.length === 0) step.table.history.delete(step.id);
      step.table.setCurrent(step.id, step.previous);
      if (step.updateMs !== undefined) {
        step.table.updates = step.table.updates.filter((u) => !(u.id === step.id && u.ms === step.updateMs));
      }
    }
  }

  /** Runs a read consistently: after queued writes (answering once what it saw is on disk), or inside a transaction. */
  private async read<T>(job: () => T): Promise<T> {
    if (this.tx.getStore()) return Promise.resolve().then(job);
    const [value, onDisk] = await this.queue.run(() => [job(), this.syncs.onDisk()] as const);
    await this.waitForDisk(onDisk);
    return value;
  }

  private context(): TxContext {
    const context = this.tx.getStore();
    if (!context) throw new Error('write outside a transaction');
    return context;
  }

  /** A strictly increasing clock: never repeats, never goes back, even across restarts (seeded from the data). */
  private tick(): number {
    this.lastMs = Math.max(Date.now(), this.lastMs + 1);
    return this.lastMs;
  }

  private tableFor(resourceType: string): TypeTable {
    let table = this.tables.get(resourceType);
    if (!table) {
      table = new TypeTable(resourceType, (changed, previous, next) =>
        this.engine.applyChange(changed, previous, next),
      );
      this.tables.set(resourceType, table);
    }
    return table;
  }

  private checkType(resourceType: string | undefined): string {
    if (!resourceType || !isSupportedType(resourceType)) {
      raise(
        'not-found',
        'not-supported',
        `Resource type "${resourceType ?? ''}" is not supported by the sandbox. Supported: ${SUPPORTED_TYPES.join(', ')}`,
      );
    }
    return resourceType;
  }

  private lastVersion(table: TypeTable, id: string): VersionRecord | undefined {
    const history = table.history.get(id);
    return history?.[history.length - 1];
  }

  /** Writes a new version inside the current transaction. */
  private putVersion(resource: Resource, ifMatch?: string): WithId<Resource> {
    const resourceType = this.checkType(resource.resourceType);
    const id = resource.id ?? '';
    if (!ID_PATTERN.test(id)) raise('invalid', 'invalid', `Invalid id "${id}"`, [`${resourceType}.id`]);
    const table = this.tableFor(resourceType);
    const previous = table.current.get(id);
    if (ifMatch !== undefined) {
      const current = previous?.resource.meta?.versionId;
      if (current !== ifMatch) {
        raise(
          'precondition-failed',
          'conflict',
          current
            ? `${resourceType}/${id} is at version ${current}, not ${ifMatch}: read it again and retry`
            : `${resourceType}/${id} does not exist, so If-Match ${ifMatch} cannot match`,
        );
      }
    }
    const last = this.lastVersion(table, id);
    const versionId = String((last ? Number(recordVersion(last)) || 0 : 0) + 1);
    const ms = this.tick();
    const stored = copy({
      ...resource,
      meta: { ...resource.meta, versionId, lastUpdated: new Date(ms).toISOString() },
    });
    const history = table.history.get(id) ?? [];
    const context = this.context();
    context.undo.push({ table, id, previous, historyLength: history.length, updateMs: ms });
    const record: VersionRecord = { op: 'put', resource: stored };
    history.push(record);
    table.history.set(id, history);
    const entry = indexResource(stored);
    table.setCurrent(id, entry);
    table.noteUpdate(ms, id);
    context.records.push(record);
    const result = copy(stored) as WithId<Resource>;
    if (!previous) markCreated(result);
    return result;
  }

  // ---- FhirRepository ------------------------------------------------------------------------------------------

  /** Runs a synchronous write job as its own transaction (or inside the current one). */
  private write<T>(job: () => T): Promise<T> {
    return this.withTransaction(() => Promise.resolve().then(job));
  }

  async createResource<T extends Resource>(resource: T, options?: CreateResourceOptions): Promise<WithId<T>> {
    return this.write(() => {
      const id = options?.assignedId && resource.id ? resource.id : this.generateId();
      const table = this.tableFor(this.checkType(resource.resourceType));
      if (table.current.has(id)) {
        raise('conflict', 'duplicate', `${resource.resourceType}/${id} already exists; use update (PUT) instead`);
      }
      return this.putVersion({ ...resource, id }) as WithId<T>;
    });
  }

  async updateResource<T extends Resource>(resource: T, options?: UpdateResourceOptions): Promise<WithId<T>> {
    if (!resource.id) throw new OperationOutcomeError(badRequest('Missing id', `${resource.resourceType}.id`));
    return this.write(() => this.putVersion(resource, options?.ifMatch) as WithId<T>);
  }

  patchResource<T extends Resource>(resourceType: T['resourceType'], id: string): Promise<WithId<T>> {
    const text = `PATCH ${resourceType}/${id} is not supported by the sandbox; use a versioned update (PUT with If-Match)`;
    return Promise.reject(new OperationOutcomeError(outcome('method-not-allowed', 'not-supported', text)));
  }

  async deleteResource(resourceType: string, id: string): Promise<void> {
    await this.write(() => {
      const table = this.tableFor(this.checkType(resourceType));
      const previous = table.current.get(id);
      const last = this.lastVersion(table, id);
      if (!previous) {
        if (last?.op === 'delete') return;
        raise('not-found', 'not-found', `${resourceType}/${id} does not exist`);
      }
      const history = table.history.get(id) ?? [];
      const context = this.context();
      context.undo.push({ table, id, previous, historyLength: history.length, updateMs: undefined });
      const record: VersionRecord = {
        op: 'delete',
        resourceType,
        id,
        versionId: String((last ? Number(recordVersion(last)) || 0 : 0) + 1),
        lastUpdated: new Date(this.tick()).toISOString(),
      };
      history.push(record);
      table.setCurrent(id, undefined);
      context.records.push(record);
    });
  }

  async readResource<T extends Resource>(resourceType: string, id: string): Promise<WithId<T>> {
    return this.read(() => this.readNow(resourceType, id) as WithId<T>);
  }

  private readNow(resourceType: string, id: string): WithId<Resource> {
    const table = this.tables.get(this.checkType(resourceType));
    const entry = table?.current.get(id);
    if (entry) return copy(entry.resource) as WithId<Resource>;
    if (table && this.lastVersion(table, id)?.op === 'delete') {
      throw new OperationOutcomeError(outcomes.gone(`${resourceType}/${id} was deleted`));
    }
    throw new OperationOutcomeError(outcomes.notFound(`${resourceType}/${id} not found`));
  }

  async readReference<T extends Resource>(reference: Reference<T>): Promise<WithId<T>> {
    const [type, id, ...rest] = reference.reference?.split('/') ?? [];
    if (!type || !id || rest.length > 0) {
      throw new OperationOutcomeError(badRequest(`Cannot read reference "${reference.reference ?? ''}"`));
    }
    return this.readResource<T>(type, id);
  }

  async readReferences<T extends Resource>(references: readonly Reference<T>[]): Promise<(T | Error)[]> {
    return Promise.all(references.map((r) => this.readReference(r).catch((err: unknown) => err as Error)));
  }

  async readVersion<T extends Resource>(resourceType: string, id: string, versionId: string): Promise<WithId<T>> {
    return this.read(() => {
      const history = this.tables.get(this.checkType(resourceType))?.history.get(id);
      if (!history) throw new OperationOutcomeError(outcomes.notFound(`${resourceType}/${id} not found`));
      const record = history.find((r) => recordVersion(r) === versionId);
      if (!record) {
        throw new OperationOutcomeError(outcomes.notFound(`${resourceType}/${id} has no version ${versionId}`));
      }
      if (record.op === 'delete') {
        throw new OperationOutcomeError(outcomes.gone(`Version ${versionId} of ${resourceType}/${id} is a deletion`));
      }
      return copy(record.resource) as WithId<T>;
    });
  }

  async readHistory<T extends Resource>(
    resourceType: string,
    id: string,
    options?: { offset?: number; limit?: number },
  ): Promise<Bundle<WithId<T>>> {
    return this.read(() => {
      const history = this.tables.get(this.checkType(resourceType))?.history.get(id);
      if (!history) throw new OperationOutcomeError(outcomes.notFound(`${resourceType}/${id} not found`));
      const entry = historyEntries<T>(
        history,
        resourceType,
        id,
        options?.offset ?? 0,
        options?.limit ?? this.limits.maxCount,
      );
      return { resourceType: 'Bundle', type: 'history', total: history.length, entry };
    });
  }

  /** Runs a parsed query; `options.compartmentPatient` limits matches to that patient's compartment. */
  async searchQuery(query: SearchQuery, options: SearchOptions = {}): Promise<SearchPage> {
    return this.read(() => {
      const result = this.engine.run(query, options);
      return {
        total: result.total,
        matches: result.matches.map((m) => copy(m.resource) as WithId<Resource>),
        included: result.included.map((m) => copy(m.resource) as WithId<Resource>),
      };
    });
  }

  async search<T extends Resource>(request: SearchRequest<T>, options?: SearchOptions): Promise<Bundle<WithId<T>>> {
    const query = parseSearchQuery(request.resourceType, searchRequestToRawQuery(request), this.limits);
    const page = await this.searchQuery(query, options);
    return {
      resourceType: 'Bundle',
      type: 'searchset',
      total: page.total,
      entry: [
        ...page.matches.map((resource) => ({ resource: resource as WithId<T>, search: { mode: 'match' as const } })),
        ...page.included.map((resource) => ({ resource: resource as WithId<T>, search: { mode: 'include' as const } })),
      ],
    };
  }

  searchByReference<T extends Resource>(
    request: SearchRequest<T>,
    referenceField: string,
    references: string[],
  ): Promise<Record<string, WithId<T>[]>> {
    return searchEachReference((r) => this.search(r), request, referenceField, references);
  }
}
