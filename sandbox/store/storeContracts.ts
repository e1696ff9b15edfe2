/** What the store promises its callers and asks of its durability layer; and history Bundles. */
import type { WithId } from '@medplum/core';
import type { BundleEntry, Resource } from '@medplum/fhirtypes';
import type { VersionRecord } from './versionRecord';
import { recordLastUpdated, recordVersion } from './versionRecord';

/** Where committed versions go; every method resolves only once the data is durable. */
export interface Durability {
  commit(records: readonly VersionRecord[]): Promise<void>;
  /** Replaces everything on disk with these versions (reset, compaction). */
  rewrite(records: Iterable<VersionRecord>): Promise<void>;
  /** True when it is time to fold the log into a snapshot (checked after each commit). */
  shouldCompact?(): boolean;
  close(): Promise<void>;
}

/** A page of search results (deep copies). */
export interface SearchPage {
  total: number;
  matches: WithId<Resource>[];
  included: WithId<Resource>[];
}

const createdByWrite = new WeakSet<object>();

/** True when `resource` was returned by a write that created it (POST, or PUT of a new id), for 201 vs 200. */
export function wasCreated(resource: object | undefined): boolean {
  return !!resource && createdByWrite.has(resource);
}

/** Marks a resource returned by a write that created it. */
export function markCreated(resource: object): void {
  createdByWrite.add(resource);
}

/** History entries, newest first, with request and response as https://hl7.org/fhir/R4/http.html#history shows. */
export function historyEntries<T extends Resource>(
  history: readonly VersionRecord[],
  resourceType: string,
  id: string,
  offset: number,
  limit: number,
): BundleEntry<WithId<T>>[] {
  const newestFirst = [...history].reverse();
  return newestFirst.slice(offset, offset + limit).map((record, i): BundleEntry<WithId<T>> => {
    const versionId = recordVersion(record);
    const first = offset + i === newestFirst.length - 1;
    return {
      ...(record.op === 'put' ? { resource: JSON.parse(JSON.stringify(record.resource)) as WithId<T> } : {}),
      request: {
        method: record.op === 'delete' ? 'DELETE' : first ? 'POST' : 'PUT',
        url: first && record.op === 'put' ? resourceType : `${resourceType}/${id}`,
      },
      response: {
        status: record.op === 'delete' ? '204' : first ? '201' : '200',
        etag: `W/"${versionId}"`,
        lastModified: recordLastUpdated(record),
      },
    };
  });
}
