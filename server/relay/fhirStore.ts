/**
 * The relay's view of the EHR: the few FHIR R4 interactions it needs (https://hl7.org/fhir/R4/http.html).
 * The domain talks only to this interface; `server/adapters/fhirRestStore.ts` implements it over HTTP with a
 * backend-services token, `server/fakes/memoryFhirStore.ts` in memory for domain tests.
 */
import { OperationOutcomeError, getStatus } from '@medplum/core';
import type { Binary, Bundle, CapabilityStatement, OperationOutcome, Resource, ResourceType } from '@medplum/fhirtypes';

export type ResourceOf<K extends ResourceType> = Extract<Resource, { resourceType: K }>;

/** Search parameters; an array repeats the parameter (AND), a comma inside one value is OR. */
export type SearchParams = Record<string, string | readonly string[] | undefined>;

export interface FhirStore {
  read<K extends ResourceType>(resourceType: K, id: string): Promise<ResourceOf<K>>;
  /** A search-set Bundle: matches (`search.mode` match) and any `_include`d resources. One page. */
  search<K extends ResourceType>(resourceType: K, params: SearchParams): Promise<Bundle>;
  /**
   * The page after `page` (its `next` link, https://hl7.org/fhir/R4/http.html#paging), or undefined on the last page.
   * A link outside the FHIR base is refused: the relay's token goes to the EHR only.
   */
  nextPage(page: Bundle): Promise<Bundle | undefined>;
  /** Create, or with `ifNoneExist` (a query string) return the one existing match instead. */
  create<T extends Resource>(
    resource: T,
    options?: { ifNoneExist?: string },
  ): Promise<{ resource: T; created: boolean }>;
  /** Versioned update: with `ifMatch` (a versionId) a concurrent change fails with 412. */
  update<T extends Resource>(resource: T, options?: { ifMatch?: string }): Promise<T>;
  createBinary(contentType: string, data: Uint8Array): Promise<Binary>;
  /**
   * A batch or transaction Bundle (https://hl7.org/fhir/R4/http.html#transaction); the response Bundle. With
   * `minimal`, written resources may come back as a status and location only (Prefer: return=minimal).
   */
  bundle(bundle: Bundle, options?: { minimal?: boolean }): Promise<Bundle>;
  capabilities(): Promise<CapabilityStatement>;
}

/** A FHIR interaction that failed, with the HTTP status the server (or the network) gave. */
export class FhirStoreError extends OperationOutcomeError {
  /** HTTP status; 0 when the server could not be reached. */
  readonly status: number;

  constructor(status: number, outcome: OperationOutcome, cause?: unknown) {
    super(outcome, cause);
    this.status = status;
  }
}

/** The HTTP status an error from a FhirStore stands for. */
export function fhirErrorStatus(err: unknown): number | undefined {
  if (err instanceof FhirStoreError) return err.status;
  if (err instanceof OperationOutcomeError) return getStatus(err.outcome);
  return undefined;
}

/** True when a versioned update lost a race (412 Precondition Failed, or 409 Conflict on some servers). */
export function isVersionConflict(err: unknown): boolean {
  const status = fhirErrorStatus(err);
  return status === 412 || status === 409;
}

/** True when trying again later may succeed: the EHR was unreachable, overloaded or timed out. */
export function isTransientFhirError(err: unknown): boolean {
  const status = fhirErrorStatus(err);
  if (status === undefined) return !(err instanceof OperationOutcomeError);
  return status === 0 || status === 408 || status === 429 || status >= 500;
}

/** The resources a search matched (not the included ones). */
export function matches<T extends Resource>(bundle: Bundle, resourceType: T['resourceType']): T[] {
  return (bundle.entry ?? [])
    .filter((entry) => entry.search?.mode !== 'include' && entry.resource?.resourceType === resourceType)
    .map((entry) => entry.resource as T);
}

/** Every resource in a bundle, matched or included, by `Type/id`. */
export function byReference(bundle: Bundle): Map<string, Resource> {
  const map = new Map<string, Resource>();
  for (const entry of bundle.entry ?? []) {
    const resource = entry.resource;
    if (resource?.id) map.set(`${resource.resourceType}/${resource.id}`, resource);
  }
  return map;
}
