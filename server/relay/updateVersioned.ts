/**
 * Read-modify-write with `If-Match` (https://hl7.org/fhir/R4/http.html#concurrency): the change is a pure function
 * of the current resource, recomputed on the fresh version after a 412, so two writers never lose each other's work.
 */
import { badRequest, OperationOutcomeError } from '@medplum/core';
import type { BundleEntry, Resource } from '@medplum/fhirtypes';
import { FhirStoreError, isVersionConflict, type FhirStore } from './fhirStore';

export interface VersionedResult<T> {
  resource: T;
  changed: boolean;
}

/** Applies `change` to `current` and saves it with If-Match, re-reading on conflict; `undefined` from change = no write. */
export async function updateVersioned<T extends Resource>(
  fhir: FhirStore,
  current: T,
  change: (resource: T) => T | undefined,
  attempts = 6,
): Promise<VersionedResult<T>> {
  let resource = current;
  for (let attempt = 1; ; attempt++) {
    const next = change(resource);
    if (next === undefined) return { resource, changed: false };
    if (!resource.meta?.versionId) {
      throw new OperationOutcomeError(
        badRequest(`The EHR returned ${resource.resourceType} without meta.versionId; versioned updates need it`),
      );
    }
    try {
      const saved = await fhir.update(next, { ifMatch: resource.meta?.versionId });
      return { resource: saved, changed: true };
    } catch (err) {
      if (!isVersionConflict(err) || attempt >= attempts || !resource.id) throw err;
      resource = (await fhir.read(resource.resourceType, resource.id)) as T;
    }
  }
}

/** One versioned update for `updateVersionedBatch`: the resource as read and the pure change to save. */
export interface VersionedWrite {
  current: Resource;
  change: (resource: Resource) => Resource | undefined;
}

/** A `VersionedWrite` of a resource of type T (the change sees its own type). */
export function versionedWrite<T extends Resource>(current: T, change: (resource: T) => T | undefined): VersionedWrite {
  return { current, change: change as (resource: Resource) => Resource | undefined };
}

/**
 * Several versioned updates, plus `others` (e.g. a conditional create), in one batch: one round trip
 * (https://hl7.org/fhir/R4/http.html#brules). An update that lost a race (412/409) is read again and retried alone
 * with `updateVersioned`; any other failed entry throws.
 */
export async function updateVersionedBatch(
  fhir: FhirStore,
  writes: readonly VersionedWrite[],
  others: readonly BundleEntry[] = [],
): Promise<void> {
  const planned = writes.flatMap((write) => {
    const next = write.change(write.current);
    return next === undefined ? [] : [{ write, next }];
  });
  const entries: BundleEntry[] = planned.map(({ write, next }) => {
    const { resourceType, id, meta } = write.current;
    if (!id || !meta?.versionId) {
      throw new OperationOutcomeError(
        badRequest(`The EHR returned ${resourceType} without id or meta.versionId; versioned updates need them`),
      );
    }
    return {
      resource: next,
      request: { method: 'PUT', url: `${resourceType}/${id}`, ifMatch: `W/"${meta.versionId}"` },
    };
  });
  entries.push(...others);
  if (entries.length === 0) return;
  const response = await fhir.bundle({ resourceType: 'Bundle', type: 'batch', entry: entries }, { minimal: true });
  await Promise.all(
    entries.map(async (_entry, index) => {
      const answer = response.entry?.[index]?.response;
      const status = Number.parseInt(answer?.status ?? '', 10) || 500;
      if (status >= 200 && status < 300) return;
      const failure = new FhirStoreError(
        status,
        answer?.outcome ?? badRequest(`Batch entry ${index} failed with ${answer?.status ?? 'no status'}`),
      );
      const write = planned[index]?.write;
      if (!write || !isVersionConflict(failure) || !write.current.id) throw failure;
      const fresh = await fhir.read(write.current.resourceType, write.current.id);
      await updateVersioned(fhir, fresh, write.change);
    }),
  );
}
