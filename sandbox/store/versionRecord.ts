/** One version of one resource, as kept in history and written to the data folder. */
import type { Resource } from '@medplum/fhirtypes';

export type VersionRecord =
  | {
      op: 'put';
      /** The full resource, with meta.versionId and meta.lastUpdated set by the store. */
      resource: Resource;
    }
  | { op: 'delete'; resourceType: string; id: string; versionId: string; lastUpdated: string };

/** `Type/id` of the record. */
export function recordKey(record: VersionRecord): { resourceType: string; id: string } {
  return record.op === 'put'
    ? { resourceType: record.resource.resourceType, id: record.resource.id ?? '' }
    : { resourceType: record.resourceType, id: record.id };
}

/** versionId of the record. */
export function recordVersion(record: VersionRecord): string {
  return record.op === 'put' ? (record.resource.meta?.versionId ?? '') : record.versionId;
}

/** lastUpdated of the record. */
export function recordLastUpdated(record: VersionRecord): string {
  return record.op === 'put' ? (record.resource.meta?.lastUpdated ?? '') : record.lastUpdated;
}
