/**
 * Read-modify-write with `If-Match` (https://hl7.org/fhir/R4/http.html#concurrency): the change is a pure function
 * of the current resource, recomputed on the fresh version after a 412, so two writers never lose each other's work.
 */
import { badRequest, OperationOutcomeError } from '@medplum/core';
import type { Resource } from '@medplum/fhirtypes';
import { isVersionConflict, type FhirStore } from './fhirStore';

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
