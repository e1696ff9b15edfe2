/**
 * Versioned updates that are waiting at the same moment go to the EHR together, as the entries of one `batch` Bundle
 * (https://hl7.org/fhir/R4/http.html#transaction), each with its own `ifMatch`: the EHR processes every entry on its
 * own, so each caller gets exactly the answer a lone `PUT` would have given it (its resource, or its 412). Nothing
 * waits for a timer: an update goes out at once while fewer than `maxInFlight` requests are outstanding; the updates
 * that arrive meanwhile leave together when one comes back (docs/decisions/094-batched-versioned-updates.md).
 * An EHR that does not offer `batch` in its CapabilityStatement, or refuses the Bundle, gets plain PUTs.
 */
import { badRequest, normalizeOperationOutcome } from '@medplum/core';
import type { Bundle, BundleEntry, CapabilityStatement, OperationOutcome, Resource } from '@medplum/fhirtypes';
import { FhirStoreError } from '../relay/fhirStore';

export interface UpdateTransport {
  /** One `PUT` (with If-Match when given). */
  put<T extends Resource>(resource: T, ifMatch: string | undefined): Promise<T>;
  /** `POST [base]` with a batch Bundle; the batch-response Bundle. */
  batch(bundle: Bundle): Promise<Bundle>;
  /** A version of a resource (`GET Type/id/_history/vid`), for an entry answered without its resource. */
  vread<T extends Resource>(resourceType: string, id: string, versionId: string): Promise<T>;
  capabilities(): Promise<CapabilityStatement>;
}

export interface UpdateBatcher {
  update<T extends Resource>(resource: T, ifMatch: string | undefined): Promise<T>;
}

interface Waiting {
  resource: Resource;
  ifMatch: string | undefined;
  resolve: (resource: Resource) => void;
  reject: (err: unknown) => void;
}

/** HTTP statuses of a Bundle POST that mean "no batch here" rather than "these writes failed". */
const BATCH_REFUSED = new Set([400, 404, 405, 415, 422, 501]);

function statusCode(entry: BundleEntry | undefined): number {
  return Number.parseInt(entry?.response?.status ?? '', 10) || 0;
}

function offersBatch(statement: CapabilityStatement): boolean {
  return (statement.rest ?? []).some((rest) => (rest.interaction ?? []).some((i) => i.code === 'batch'));
}

/** Updates through `transport`, batched under concurrency. */
export function createUpdateBatcher(
  transport: UpdateTransport,
  options: { maxInFlight?: number; maxBatch?: number } = {},
): UpdateBatcher {
  const maxInFlight = options.maxInFlight ?? 4;
  const maxBatch = options.maxBatch ?? 64;
  const waiting: Waiting[] = [];
  let inFlight = 0;
  /** undefined until the CapabilityStatement has been read. */
  let batchOffered: boolean | undefined;

  const putEach = (group: readonly Waiting[]): Promise<void> =>
    Promise.all(
      group.map((item) =>
        transport.put(item.resource, item.ifMatch).then(item.resolve, (err: unknown) => item.reject(err)),
      ),
    ).then(() => undefined);

  const answer = async (item: Waiting, entry: BundleEntry | undefined): Promise<void> => {
    const status = statusCode(entry);
    if (status >= 200 && status < 300) {
      if (entry?.resource) {
        item.resolve(entry.resource);
        return;
      }
      const version = /^(?:W\/)?"([^"]+)"$/.exec(entry?.response?.etag ?? '')?.[1];
      if (!version || !item.resource.id)
        throw new FhirStoreError(502, badRequest('A batch entry came back without version'));
      item.resolve(await transport.vread(item.resource.resourceType, item.resource.id, version));
      return;
    }
    const outcome: OperationOutcome =
      entry?.response?.outcome ??
      badRequest(`The EHR answered ${entry?.response?.status ?? 'nothing'} to a batch entry`);
    item.reject(new FhirStoreError(status || 502, outcome));
  };

  const sendBatch = async (group: readonly Waiting[]): Promise<void> => {
    if (batchOffered === undefined) {
      try {
        batchOffered = offersBatch(await transport.capabilities());
      } catch {
        return putEach(group); // asked again next time: an EHR that is down now may offer batch later
      }
    }
    if (!batchOffered) return putEach(group);
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'batch',
      entry: group.map((item) => ({
        resource: item.resource,
        request: {
          method: 'PUT',
          url: `${item.resource.resourceType}/${encodeURIComponent(item.resource.id ?? '')}`,
          ...(item.ifMatch ? { ifMatch: `W/"${item.ifMatch}"` } : {}),
        },
      })),
    };
    let response: Bundle;
    try {
      response = await transport.batch(bundle);
    } catch (err) {
      if (err instanceof FhirStoreError && BATCH_REFUSED.has(err.status)) {
        batchOffered = false;
        return putEach(group);
      }
      for (const item of group) item.reject(err);
      return;
    }
    const entries = response.entry ?? [];
    if (response.type !== 'batch-response' || entries.length !== group.length) {
      const err = new FhirStoreError(502, badRequest('The EHR answered a batch with a Bundle that does not match it'));
      for (const item of group) item.reject(err);
      return;
    }
    await Promise.all(
      group.map((item, i) => answer(item, entries[i]).catch((err: unknown) => item.reject(normalize(err)))),
    );
  };

  const pump = (): void => {
    while (inFlight < maxInFlight && waiting.length > 0) {
      const group = waiting.splice(0, maxBatch);
      inFlight++;
      const sent = group.length === 1 ? putEach(group) : sendBatch(group);
      void sent
        .catch((err: unknown) => {
          for (const item of group) item.reject(err);
        })
        .finally(() => {
          inFlight--;
          pump();
        });
    }
  };

  return {
    update<T extends Resource>(resource: T, ifMatch: string | undefined): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        waiting.push({ resource, ifMatch, resolve: resolve as (r: Resource) => void, reject });
        pump();
      });
    },
  };
}

function normalize(err: unknown): unknown {
  return err instanceof FhirStoreError ? err : new FhirStoreError(502, normalizeOperationOutcome(err), err);
}
