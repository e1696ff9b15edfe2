/**
 * The FhirStore over the EHR's FHIR R4 REST API (https://hl7.org/fhir/R4/http.html) with a backend-services bearer
 * token: conditional create (`If-None-Exist`), versioned update (`If-Match: W/"…"`), batch/transaction Bundles.
 * A 401 renews the token once; network failures become status 0 so the domain can tell "EHR down" from "EHR says no".
 * Versioned updates made at the same moment share one batch Bundle (server/adapters/batchUpdates.ts).
 */
import { badRequest, isOperationOutcome, normalizeOperationOutcome } from '@medplum/core';
import type { Binary, Bundle, CapabilityStatement, OperationOutcome, Resource } from '@medplum/fhirtypes';
import { FhirStoreError, type FhirStore, type ResourceOf, type SearchParams } from '../relay/fhirStore';
import type { TokenSource } from './backendServicesToken';
import { createUpdateBatcher } from './batchUpdates';

export interface FhirRestOptions {
  baseUrl: string;
  token: TokenSource;
  fetch?: typeof fetch;
  timeoutMs?: number;
  /** Send concurrent versioned updates as one batch Bundle when the EHR offers batch (default true). */
  batchUpdates?: boolean;
}

const FHIR_JSON = 'application/fhir+json';

function queryString(params: SearchParams): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined) continue;
    for (const one of typeof value === 'string' ? [value] : value) query.append(name, one);
  }
  const text = query.toString();
  return text ? `?${text}` : '';
}

/** A FhirStore talking HTTP to `baseUrl`. */
export function createFhirRestStore(options: FhirRestOptions): FhirStore {
  const fetchImpl = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const base = options.baseUrl.replace(/\/+$/, '');
  let capabilities: CapabilityStatement | undefined;

  const send = async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; json: unknown }> => {
    for (let attempt = 1; ; attempt++) {
      const token = await options.token.getToken().catch((err: unknown) => {
        throw new FhirStoreError(0, normalizeOperationOutcome(err), err);
      });
      let response: Response;
      try {
        response = await fetchImpl(path ? `${base}/${path}` : base, {
          method,
          headers: {
            accept: FHIR_JSON,
            authorization: `Bearer ${token}`,
            ...(body === undefined ? {} : { 'content-type': FHIR_JSON, prefer: 'return=representation' }),
            ...headers,
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (err) {
        throw new FhirStoreError(0, normalizeOperationOutcome(new Error('The EHR could not be reached')), err);
      }
      if (response.status === 401 && attempt === 1) {
        await response.body?.cancel();
        options.token.invalidate();
        continue;
      }
      const text = await response.text();
      let json: unknown;
      try {
        json = text.length > 0 ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      if (!response.ok) {
        const outcome: OperationOutcome = isOperationOutcome(json)
          ? json
          : badRequest(`The EHR answered ${response.status} to ${method} ${path.split('?')[0] ?? ''}`);
        throw new FhirStoreError(response.status, outcome);
      }
      return { status: response.status, json };
    }
  };

  const resourceOf = <T>(json: unknown, what: string): T => {
    if (typeof json !== 'object' || json === null || !('resourceType' in json)) {
      throw new FhirStoreError(502, badRequest(`The EHR returned no resource for ${what}`));
    }
    return json as T;
  };

  const put = async <T extends Resource>(resource: T, ifMatch: string | undefined): Promise<T> => {
    const headers = ifMatch ? { 'if-match': `W/"${ifMatch}"` } : undefined;
    const { json } = await send(
      'PUT',
      `${resource.resourceType}/${encodeURIComponent(resource.id ?? '')}`,
      resource,
      headers,
    );
    return resourceOf<T>(json, `${resource.resourceType} update`);
  };

  const capabilityStatement = async (): Promise<CapabilityStatement> => {
    if (!capabilities) {
      const { json } = await send('GET', 'metadata');
      capabilities = resourceOf<CapabilityStatement>(json, 'metadata');
    }
    return capabilities;
  };

  const batcher =
    options.batchUpdates === false
      ? undefined
      : createUpdateBatcher({
          put,
          batch: async (bundle) => resourceOf<Bundle>((await send('POST', '', bundle)).json, 'batch'),
          vread: async <T extends Resource>(resourceType: string, id: string, versionId: string) =>
            resourceOf<T>(
              (await send('GET', `${resourceType}/${encodeURIComponent(id)}/_history/${encodeURIComponent(versionId)}`))
                .json,
              `${resourceType} vread`,
            ),
          capabilities: capabilityStatement,
        });

  return {
    async read(resourceType, id) {
      const { json } = await send('GET', `${resourceType}/${encodeURIComponent(id)}`);
      return resourceOf<ResourceOf<typeof resourceType>>(json, `${resourceType} read`);
    },
    async search(resourceType, params) {
      const { json } = await send('GET', `${resourceType}${queryString(params)}`);
      return resourceOf<Bundle>(json, `${resourceType} search`);
    },
    async nextPage(page) {
      const next = page.link?.find((link) => link.relation === 'next')?.url;
      if (!next) return undefined;
      if (!next.startsWith(`${base}/`) && !next.startsWith(`${base}?`)) {
        throw new FhirStoreError(
          502,
          badRequest('The EHR sent a next-page link outside FHIR_BASE_URL; the relay does not follow it'),
        );
      }
      const { json } = await send('GET', next.slice(base.length + 1));
      return resourceOf<Bundle>(json, 'next search page');
    },
    async create<T extends Resource>(resource: T, createOptions?: { ifNoneExist?: string }) {
      const headers = createOptions?.ifNoneExist ? { 'if-none-exist': createOptions.ifNoneExist } : undefined;
      const { status, json } = await send('POST', resource.resourceType, resource, headers);
      return { resource: resourceOf<T>(json, `${resource.resourceType} create`), created: status === 201 };
    },
    async update<T extends Resource>(resource: T, updateOptions?: { ifMatch?: string }) {
      return batcher ? batcher.update(resource, updateOptions?.ifMatch) : put(resource, updateOptions?.ifMatch);
    },
    async createBinary(contentType, data) {
      const binary: Binary = { resourceType: 'Binary', contentType, data: Buffer.from(data).toString('base64') };
      const { json } = await send('POST', 'Binary', binary);
      return resourceOf<Binary>(json, 'Binary create');
    },
    async bundle(bundle, bundleOptions) {
      const { json } = await send('POST', '', bundle, bundleOptions?.minimal ? { prefer: 'return=minimal' } : {});
      return resourceOf<Bundle>(json, `${bundle.type ?? 'bundle'}`);
    },
    capabilities: capabilityStatement,
  };
}
