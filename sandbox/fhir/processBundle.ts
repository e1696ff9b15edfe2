/**
 * `POST [base]` with a batch or transaction Bundle (https://hl7.org/fhir/R4/http.html#transaction).
 * A transaction runs alone and all-or-nothing: identities are resolved first (new ids, If-None-Exist matches,
 * conditional updates and deletes), `urn:uuid:` placeholders are replaced everywhere in the entries, then entries run
 * in the order DELETE, POST, PUT, GET; any failure undoes everything and answers the failing entry's error, naming
 * the entry. A batch runs each entry on its own, all at once. No entry limit beyond the request body size.
 */
import type { WithId } from '@medplum/core';
import {
  allOk,
  badRequest,
  created,
  normalizeOperationOutcome,
  OperationOutcomeError,
  parseSearchRequest,
} from '@medplum/core';
import type { FhirRequest, FhirRouter } from '@medplum/fhir-router';
import type { Bundle, BundleEntry, OperationOutcome, Resource } from '@medplum/fhirtypes';
import { outcomes, statusOf } from '../store/outcomes';
import { wasCreated } from '../store/SandboxRepository';
import type { ScopedRepository } from './ScopedRepository';
import { fullUrlOf } from './searchBundle';

export interface BundleContext {
  router: FhirRouter;
  repo: ScopedRepository;
  baseUrl: string;
  /** The request's Prefer return= value. */
  prefer: 'minimal' | 'representation' | 'OperationOutcome';
}

interface Planned {
  index: number;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  type: string;
  id?: string;
  resource?: Resource;
  ifMatch?: string;
  /** POST whose If-None-Exist matched: nothing to write. */
  existing?: WithId<Resource>;
  /** Conditional DELETE that matched nothing. */
  noop?: boolean;
}

const ORDER: Record<Planned['method'], number> = { DELETE: 0, POST: 1, PUT: 2, GET: 3 };
const STATUS_TEXT: Record<number, string> = { 200: '200 OK', 201: '201 Created', 204: '204 No Content' };

function fail(result: OperationOutcome): never {
  throw new OperationOutcomeError(result);
}

/** The version in an ETag (`W/"3"` → `3`). */
export function versionFromETag(etag: string | undefined): string | undefined {
  if (!etag) return undefined;
  return /^(?:W\/)?"([^"]+)"$/.exec(etag.trim())?.[1] ?? etag.trim();
}

function relativeUrl(baseUrl: string, url: string): string {
  return url.startsWith(`${baseUrl}/`) ? url.slice(baseUrl.length + 1) : url.replace(/^\//, '');
}

function plan(entry: BundleEntry, index: number, baseUrl: string): Planned {
  const method = entry.request?.method;
  const at = `Bundle.entry[${index}]`;
  if (!method) fail(badRequest('Missing request.method', `${at}.request.method`));
  if (method === 'PATCH') fail(outcomes.methodNotAllowed(`${at}: PATCH is not supported; use PUT with ifMatch`));
  if (method === 'HEAD') fail(badRequest('HEAD is not supported in a Bundle; use GET', `${at}.request.method`));
  const url = entry.request?.url ? relativeUrl(baseUrl, entry.request.url) : '';
  if (!url) fail(badRequest('Missing request.url', `${at}.request.url`));
  const [path = ''] = url.split('?');
  const [type = '', id] = path.split('/');
  const planned: Planned = { index, method, url, type, id };
  if (method === 'POST' || method === 'PUT') {
    if (!entry.resource) fail(badRequest(`${method} needs a resource`, `${at}.resource`));
    if (entry.resource.resourceType !== type) {
      fail(badRequest(`resource is a ${entry.resource.resourceType}, the URL names ${type}`, `${at}.resource`));
    }
    planned.resource = entry.resource;
    planned.ifMatch = versionFromETag(entry.request?.ifMatch);
  }
  return planned;
}

/** Finds at most one match for a conditional URL (`Type?query`); 412 when several match. */
async function single(repo: ScopedRepository, query: string): Promise<WithId<Resource> | undefined> {
  const request = parseSearchRequest(query);
  const matches = await repo.searchResources({ ...request, count: 2, sortRules: undefined });
  if (matches.length > 1) fail(outcomes.multipleMatches(`More than one ${request.resourceType} matches "${query}"`));
  return matches[0];
}

/** Resolves the identity of a write entry; returns the placeholder's target reference. */
async function resolveIdentity(repo: ScopedRepository, item: Planned, entry: BundleEntry): Promise<void> {
  const conditional = item.url.includes('?');
  if (item.method === 'POST') {
    if (item.id)
      fail(badRequest(`POST goes to ${item.type}, not ${item.url}`, `Bundle.entry[${item.index}].request.url`));
    const ifNoneExist = entry.request?.ifNoneExist;
    item.existing = ifNoneExist ? await single(repo, `${item.type}?${ifNoneExist.replace(/^\?/, '')}`) : undefined;
    item.id = item.existing?.id ?? repo.generateId();
  } else if (item.method === 'PUT' && conditional) {
    item.id = (await single(repo, item.url))?.id ?? repo.generateId();
  } else if (item.method === 'DELETE' && conditional) {
    item.id = (await single(repo, item.url))?.id;
    item.noop = !item.id;
  }
}

function replacePlaceholders(value: unknown, mapping: ReadonlyMap<string, string>): unknown {
  if (typeof value === 'string') return mapping.get(value) ?? value;
  if (Array.isArray(value)) return value.map((v) => replacePlaceholders(v, mapping));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replacePlaceholders(v, mapping)]));
  }
  return value;
}

function responseEntry(ctx: BundleContext, result: OperationOutcome, resource?: Resource): BundleEntry {
  const status = statusOf(result);
  const version = resource?.meta?.versionId;
  const isWrite = status === 200 || status === 201;
  return {
    ...(resource && resource.resourceType !== 'Bundle' ? { fullUrl: fullUrlOf(ctx.baseUrl, resource) } : {}),
    ...(resource && ctx.prefer !== 'minimal' ? { resource } : {}),
    response: {
      status: STATUS_TEXT[status] ?? String(status),
      ...(isWrite && resource?.id && version
        ? {
            location: `${resource.resourceType}/${resource.id}/_history/${version}`,
            etag: `W/"${version}"`,
            lastModified: resource.meta?.lastUpdated,
          }
        : {}),
      ...(status >= 400 || ctx.prefer === 'OperationOutcome' ? { outcome: result } : {}),
    },
  };
}

async function execute(ctx: BundleContext, item: Planned): Promise<BundleEntry> {
  const { repo } = ctx;
  switch (item.method) {
    case 'POST': {
      if (item.existing) return responseEntry(ctx, allOk, item.existing);
      const resource = await repo.createResource({ ...item.resource, id: item.id } as Resource, { assignedId: true });
      return responseEntry(ctx, created, resource);
    }
    case 'PUT': {
      if (item.resource?.id && item.id && item.resource.id !== item.id) {
        fail(badRequest(`resource.id "${item.resource.id}" differs from the URL id "${item.id}"`));
      }
      const resource = await repo.updateResource({ ...item.resource, id: item.id } as Resource, {
        ifMatch: item.ifMatch,
      });
      return responseEntry(ctx, wasCreated(resource) ? created : allOk, resource);
    }
    case 'DELETE':
      if (!item.noop) await repo.deleteResource(item.type, item.id ?? '');
      return { response: { status: STATUS_TEXT[204] ?? '204' } };
    case 'GET': {
      const request: FhirRequest = {
        method: 'GET',
        url: item.url,
        pathname: '',
        params: {},
        query: {},
        body: undefined,
        config: { transactions: true },
      };
      const [result, resource] = await ctx.router.handleRequest(request, repo);
      if (statusOf(result) >= 400) fail(result);
      return { ...responseEntry(ctx, result, resource), ...(resource ? { resource } : {}) };
    }
  }
}

function withEntry(err: unknown, item: Planned): OperationOutcomeError {
  const result = normalizeOperationOutcome(err);
  const where = `Bundle.entry[${item.index}] (${item.method} ${item.url})`;
  return new OperationOutcomeError({
    ...result,
    issue: (result.issue ?? []).map((issue) => ({
      ...issue,
      details: { text: `${where}: ${issue.details?.text ?? issue.diagnostics ?? 'failed'}` },
    })),
  });
}

async function runTransaction(ctx: BundleContext, entries: BundleEntry[]): Promise<BundleEntry[]> {
  return ctx.repo.withTransaction(async () => {
    const planned = entries.map((entry, i) => plan(entry, i, ctx.baseUrl));
    const mapping = new Map<string, string>();
    for (const item of planned) {
      const entry = entries[item.index] ?? {};
      try {
        await resolveIdentity(ctx.repo, item, entry);
      } catch (err) {
        throw withEntry(err, item);
      }
      if (entry.fullUrl && item.id && item.method !== 'GET') mapping.set(entry.fullUrl, `${item.type}/${item.id}`);
    }
    for (const item of planned) {
      if (item.resource) item.resource = replacePlaceholders(item.resource, mapping) as Resource;
      for (const [placeholder, reference] of mapping) item.url = item.url.replaceAll(placeholder, reference);
    }
    const responses: BundleEntry[] = new Array<BundleEntry>(planned.length);
    for (const item of [...planned].sort((a, b) => ORDER[a.method] - ORDER[b.method] || a.index - b.index)) {
      try {
        responses[item.index] = await execute(ctx, item);
      } catch (err) {
        throw withEntry(err, item);
      }
    }
    return responses;
  });
}

/**
 * Each entry is its own transaction. They are started together, in entry order: batch entries may not depend on each
 * other (https://hl7.org/fhir/R4/http.html#brules), so one entry need not wait for the previous one to reach the disk,
 * and the store's group commit makes them durable together (docs/decisions/090, 094).
 */
async function runBatch(ctx: BundleContext, entries: BundleEntry[]): Promise<BundleEntry[]> {
  return Promise.all(
    entries.map(async (entry, index) => {
      try {
        return await ctx.repo.withTransaction(async () => {
          const item = plan(entry, index, ctx.baseUrl);
          await resolveIdentity(ctx.repo, item, entry);
          return execute(ctx, item);
        });
      } catch (err) {
        return responseEntry(ctx, normalizeOperationOutcome(err));
      }
    }),
  );
}

/** Processes a batch or transaction Bundle and returns the batch-response or transaction-response Bundle. */
export async function processBundle(body: unknown, ctx: BundleContext): Promise<Bundle> {
  const bundle = body as Bundle | undefined;
  if (bundle?.resourceType !== 'Bundle') fail(badRequest('POST to the base needs a Bundle', 'Bundle'));
  if (bundle.type !== 'batch' && bundle.type !== 'transaction') {
    fail(badRequest(`Bundle.type must be batch or transaction, got "${bundle.type ?? ''}"`, 'Bundle.type'));
  }
  const entries = bundle.entry ?? [];
  const responses = bundle.type === 'transaction' ? await runTransaction(ctx, entries) : await runBatch(ctx, entries);
  return { resourceType: 'Bundle', type: `${bundle.type}-response`, entry: responses };
}
