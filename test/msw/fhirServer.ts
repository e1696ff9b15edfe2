/**
 * msw handlers for the one outside party the client talks to most: the EHR's FHIR server. A small in-memory FHIR
 * store with the searches, conditional creates and versioned updates the client uses, so component tests assert
 * what the user sees rather than which requests were made. Override single routes with `server.use(...)`.
 * Only for component tests and previews; integration tests use the real sandbox.
 */
import type { Bundle, OperationOutcome, OperationOutcomeIssue, Resource } from '@medplum/fhirtypes';
import { http, HttpResponse, type HttpHandler } from 'msw';
import { runSearch, SearchRefusal } from './fakeSearch';

export const FHIR_BASE = 'https://ehr.example.org/fhir';

type Stored = Resource & { id: string };

/** An OperationOutcome with one issue, the way FHIR servers explain a refusal. */
export function outcome(
  code: OperationOutcomeIssue['code'],
  text: string,
  severity: 'error' | 'fatal' = 'error',
): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: [{ severity, code, details: { text } }] };
}

function fhirJson(body: object, status = 200, headers: Record<string, string> = {}): Response {
  return HttpResponse.json(body, { status, headers: { 'content-type': 'application/fhir+json', ...headers } });
}

/** The store behind the handlers; tests seed it and read what the client wrote. */
export class FakeEhr {
  private readonly resources = new Map<string, Stored>();
  private lastInstant = 0;
  /** Every request as `METHOD path?query` (relative to the base), for counting. */
  readonly requests: string[] = [];
  /** When false, every request answers 401 (an expired token). */
  tokenValid = true;

  constructor(readonly base = FHIR_BASE) {}

  /** Stores resources exactly as given (fixtures carry their own meta). */
  add(...resources: Stored[]): this {
    for (const r of resources) {
      this.resources.set(`${r.resourceType}/${r.id}`, structuredClone(r));
      // The server's clock never runs behind what it has already stamped.
      const stamped = Date.parse(r.meta?.lastUpdated ?? '');
      if (stamped > this.lastInstant) this.lastInstant = stamped;
    }
    return this;
  }

  get<T extends Resource>(resourceType: T['resourceType'], id: string): (T & { id: string }) | undefined {
    return this.resources.get(`${resourceType}/${id}`) as (T & { id: string }) | undefined;
  }

  all<T extends Resource>(resourceType: T['resourceType']): (T & { id: string })[] {
    return [...this.resources.values()].filter((r) => r.resourceType === resourceType) as (T & { id: string })[];
  }

  /** A strictly increasing server time, like a real server's meta.lastUpdated. */
  now(): string {
    this.lastInstant = Math.max(Date.now(), this.lastInstant + 1);
    return new Date(this.lastInstant).toISOString();
  }

  /** Writes as a server would: new version, new lastUpdated. */
  write<T extends Resource>(resource: T): T & { id: string } {
    const id = resource.id ?? `gen-${this.resources.size + 1}-${Math.random().toString(36).slice(2, 8)}`;
    const previous = this.resources.get(`${resource.resourceType}/${id}`);
    const versionId = String(Number(previous?.meta?.versionId ?? '0') + 1);
    const saved = { ...structuredClone(resource), id, meta: { ...resource.meta, versionId, lastUpdated: this.now() } };
    this.resources.set(`${resource.resourceType}/${id}`, saved);
    return saved;
  }

  /** A copy of the store, to undo a failed transaction. */
  snapshot(): Map<string, Stored> {
    return new Map(this.resources);
  }

  /** Puts back a snapshot. */
  restore(snapshot: Map<string, Stored>): void {
    this.resources.clear();
    for (const [key, value] of snapshot) this.resources.set(key, value);
  }

  /** Changes a stored resource in place (the relay or the patient acting), bumping its version. */
  change<T extends Resource>(resourceType: T['resourceType'], id: string, edit: (r: T) => T): T & { id: string } {
    const current = this.get<T>(resourceType, id);
    if (!current) throw new Error(`No ${resourceType}/${id}`);
    return this.write(edit(structuredClone(current)));
  }
}

/** An interaction's answer, before it becomes an HTTP response or a Bundle entry. */
interface Answer {
  status: number;
  body?: Resource;
  location?: string;
}

function etag(r: Resource | undefined): Record<string, string> {
  return r?.meta?.versionId ? { etag: `W/"${r.meta.versionId}"` } : {};
}

function refusal(status: number, code: OperationOutcomeIssue['code'], text: string): Answer {
  return { status, body: outcome(code, text) };
}

function searchAnswer(ehr: FakeEhr, resourceType: string, params: URLSearchParams): Answer {
  try {
    return { status: 200, body: runSearch(ehr, resourceType, params) };
  } catch (error) {
    if (error instanceof SearchRefusal) return refusal(error.status, 'not-supported', error.message);
    throw error;
  }
}

/** GET `Type?query` or `Type/id` (relative to the base). */
function getAnswer(ehr: FakeEhr, path: string): Answer {
  const [pathPart = '', query = ''] = path.split('?');
  const [type = '', id] = pathPart.split('/');
  if (!id) return searchAnswer(ehr, type, new URLSearchParams(query));
  const found = ehr.get(type as Resource['resourceType'], id);
  return found ? { status: 200, body: found } : refusal(404, 'not-found', `${type}/${id} not found`);
}

function createAnswer(ehr: FakeEhr, type: string, resource: Resource, condition: string | null): Answer {
  if (resource.resourceType !== type) return refusal(400, 'invalid', 'resourceType does not match the URL');
  if (condition) {
    const existing = searchAnswer(ehr, type, new URLSearchParams(condition));
    if (existing.status !== 200) return existing;
    const found = (existing.body as Bundle).entry?.map((e) => e.resource).filter((r) => r !== undefined) ?? [];
    if (found.length > 1) return refusal(412, 'duplicate', 'More than one resource matches If-None-Exist');
    if (found[0]) return { status: 200, body: found[0] };
  }
  const { id: _ignored, ...fresh } = resource;
  const saved = ehr.write(fresh);
  return { status: 201, body: saved, location: `${saved.resourceType}/${saved.id}/_history/1` };
}

function updateAnswer(ehr: FakeEhr, type: string, id: string, resource: Resource, ifMatch: string | null): Answer {
  const current = ehr.get(type as Resource['resourceType'], id);
  if (ifMatch && current && ifMatch !== `W/"${current.meta?.versionId}"`) {
    return refusal(412, 'conflict', `Version mismatch: the resource is at version ${current.meta?.versionId}`);
  }
  const saved = ehr.write({ ...resource, id });
  return { status: current ? 200 : 201, body: saved };
}

/** A batch runs each entry alone; a transaction resolves `urn:uuid` references and undoes everything on a failure. */
function bundleAnswer(ehr: FakeEhr, bundle: Bundle): Answer {
  if (bundle.type !== 'batch' && bundle.type !== 'transaction') {
    return refusal(400, 'invalid', 'Bundle.type must be batch or transaction');
  }
  const transaction = bundle.type === 'transaction';
  const snapshot = transaction ? ehr.snapshot() : undefined;
  const ids = new Map<string, string>();
  const resolve = <T>(value: T): T =>
    JSON.parse(JSON.stringify(value).replace(/urn:uuid:[0-9a-f-]+/g, (urn) => ids.get(urn) ?? urn)) as T;
  const answers: Answer[] = [];
  for (const entry of bundle.entry ?? []) {
    const request = entry.request;
    const url = resolve(request?.url ?? '');
    let answer: Answer;
    if (request?.method === 'GET') answer = getAnswer(ehr, url);
    else if (request?.method === 'POST' && entry.resource) {
      answer = createAnswer(
        ehr,
        url,
        resolve(entry.resource),
        request.ifNoneExist ? resolve(request.ifNoneExist) : null,
      );
    } else if (request?.method === 'PUT' && entry.resource) {
      const [type = '', id = ''] = url.split('/');
      answer = updateAnswer(ehr, type, id, resolve(entry.resource), request.ifMatch ?? null);
    } else answer = refusal(400, 'not-supported', `Unsupported bundle entry ${request?.method ?? '?'} ${url}`);
    if (entry.fullUrl?.startsWith('urn:uuid:') && answer.body?.id) {
      ids.set(entry.fullUrl, `${answer.body.resourceType}/${answer.body.id}`);
    }
    if (transaction && answer.status >= 400) {
      if (snapshot) ehr.restore(snapshot);
      return answer;
    }
    answers.push(answer);
  }
  return {
    status: 200,
    body: {
      resourceType: 'Bundle',
      type: transaction ? 'transaction-response' : 'batch-response',
      entry: answers.map((a) => ({
        ...(a.body ? { resource: a.body } : {}),
        response: {
          status: String(a.status),
          ...(a.location ? { location: a.location } : {}),
          ...(a.body?.meta?.versionId ? { etag: `W/"${a.body.meta.versionId}"` } : {}),
        },
      })),
    },
  };
}

/** The FHIR server routes, backed by `ehr`. */
export function fhirHandlers(ehr: FakeEhr): HttpHandler[] {
  const base = ehr.base;
  const authorized = (request: Request): Response | undefined => {
    ehr.requests.push(`${request.method} ${request.url.slice(base.length + 1)}`);
    if (!request.headers.get('authorization')?.startsWith('Bearer ') || !ehr.tokenValid) {
      return fhirJson(outcome('login', 'Access token expired or missing'), 401);
    }
    return undefined;
  };
  const respond = (answer: Answer): Response =>
    fhirJson(answer.body ?? {}, answer.status, {
      ...(answer.status < 300 ? etag(answer.body) : {}),
      ...(answer.location ? { location: `${base}/${answer.location}` } : {}),
    });
  return [
    http.get(`${base}/:type`, ({ request, params }) => {
      const refused = authorized(request);
      if (refused) return refused;
      return respond(searchAnswer(ehr, String(params.type), new URL(request.url).searchParams));
    }),
    http.get(`${base}/:type/:id`, ({ request, params }) => {
      const refused = authorized(request);
      if (refused) return refused;
      return respond(getAnswer(ehr, `${String(params.type)}/${String(params.id)}`));
    }),
    http.post(base, async ({ request }) => {
      const refused = authorized(request);
      if (refused) return refused;
      return respond(bundleAnswer(ehr, (await request.json()) as Bundle));
    }),
    http.post(`${base}/:type`, async ({ request, params }) => {
      const refused = authorized(request);
      if (refused) return refused;
      const resource = (await request.json()) as Resource;
      return respond(createAnswer(ehr, String(params.type), resource, request.headers.get('if-none-exist')));
    }),
    http.put(`${base}/:type/:id`, async ({ request, params }) => {
      const refused = authorized(request);
      if (refused) return refused;
      const resource = (await request.json()) as Resource;
      return respond(
        updateAnswer(ehr, String(params.type), String(params.id), resource, request.headers.get('if-match')),
      );
    }),
  ];
}
