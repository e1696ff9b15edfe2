/**
 * msw handlers for the one outside party the client talks to most: the EHR's FHIR server. A small in-memory FHIR
 * store with the searches, conditional creates and versioned updates the client uses, so component tests assert
 * what the user sees rather than which requests were made. Override single routes with `server.use(...)`.
 * Only for component tests and previews; integration tests use the real sandbox.
 */
import type { Bundle, BundleEntry, OperationOutcome, OperationOutcomeIssue, Resource } from '@medplum/fhirtypes';
import { http, HttpResponse, type HttpHandler } from 'msw';

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

/** A refusal to answer with, thrown out of the search code. */
class Refusal extends Error {
  constructor(readonly response: Response) {
    super('refused');
  }
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

  /** Changes a stored resource in place (the relay or the patient acting), bumping its version. */
  change<T extends Resource>(resourceType: T['resourceType'], id: string, edit: (r: T) => T): T & { id: string } {
    const current = this.get<T>(resourceType, id);
    if (!current) throw new Error(`No ${resourceType}/${id}`);
    return this.write(edit(structuredClone(current)));
  }
}

const SEARCH_PARAMS: Record<string, Record<string, (r: Resource) => string[]>> = {
  Communication: {
    subject: (r) => refs((r as { subject?: { reference?: string } }).subject),
    patient: (r) => refs((r as { subject?: { reference?: string } }).subject),
    'part-of': (r) => ((r as { partOf?: { reference?: string }[] }).partOf ?? []).flatMap(refs),
    sender: (r) => refs((r as { sender?: { reference?: string } }).sender),
    status: (r) => [(r as { status: string }).status],
    medium: (r) => tokens((r as { medium?: Concept[] }).medium),
    category: (r) => tokens((r as { category?: Concept[] }).category),
    identifier: (r) => identifiers(r),
  },
  Consent: {
    patient: (r) => refs((r as { patient?: { reference?: string } }).patient),
    status: (r) => [(r as { status: string }).status],
    category: (r) => tokens((r as { category?: Concept[] }).category),
  },
  Task: {
    patient: (r) => refs((r as { for?: { reference?: string } }).for),
    focus: (r) => refs((r as { focus?: { reference?: string } }).focus),
    status: (r) => [(r as { status: string }).status],
    code: (r) => tokens([(r as { code?: Concept }).code].filter((c): c is Concept => c !== undefined)),
    identifier: (r) => identifiers(r),
  },
  Organization: { _id: (r) => [r.id ?? ''] },
  Patient: { _id: (r) => [r.id ?? ''] },
};

type Concept = { coding?: { system?: string; code?: string }[] };

function refs(ref: { reference?: string } | undefined): string[] {
  return ref?.reference ? [ref.reference] : [];
}

function tokens(concepts: Concept[] | undefined): string[] {
  return (concepts ?? []).flatMap((c) =>
    (c.coding ?? []).flatMap((x) => [`${x.system}|${x.code}`, `|${x.code}`, `${x.code}`]),
  );
}

function identifiers(r: Resource): string[] {
  return ((r as { identifier?: { system?: string; value?: string }[] }).identifier ?? []).flatMap((i) => [
    `${i.system}|${i.value}`,
    `${i.value}`,
  ]);
}

const CONTROL = new Set(['_sort', '_count', '_offset', '_include', '_lastUpdated', '_total', '_summary', '_elements']);

function compare(prefix: string, value: string, against: string): boolean {
  switch (prefix) {
    case 'gt':
      return value > against;
    case 'ge':
      return value >= against;
    case 'lt':
      return value < against;
    case 'le':
      return value <= against;
    default:
      return value.startsWith(against);
  }
}

function sortValue(r: Resource, key: string): string {
  if (key === '_lastUpdated') return r.meta?.lastUpdated ?? '';
  if (key === 'sent') return (r as { sent?: string }).sent ?? '';
  if (key === 'date' || key === 'dateTime') return (r as { dateTime?: string }).dateTime ?? '';
  return '';
}

/** Runs a search; throws an OperationOutcome Response for parameters the fake does not support. */
function search(ehr: FakeEhr, resourceType: string, url: URL): Bundle {
  const params = url.searchParams;
  const known = SEARCH_PARAMS[resourceType];
  if (!known) throw new Refusal(fhirJson(outcome('not-supported', `Search on ${resourceType} is not supported`), 400));
  let matches = ehr.all(resourceType as Resource['resourceType']) as Stored[];
  for (const [name, value] of params) {
    if (CONTROL.has(name)) continue;
    const extract = known[name];
    if (!extract) throw new Refusal(fhirJson(outcome('not-supported', `Unknown search parameter ${name}`), 400));
    const wanted = value.split(',');
    matches = matches.filter((r) => extract(r).some((v) => wanted.includes(v)));
  }
  for (const value of params.getAll('_lastUpdated')) {
    const prefix = /^[a-z]{2}/.test(value) ? value.slice(0, 2) : 'eq';
    const instant = prefix === 'eq' ? value : value.slice(2);
    matches = matches.filter((r) => compare(prefix, r.meta?.lastUpdated ?? '', instant));
  }
  const sort = params.get('_sort');
  if (sort) {
    const descending = sort.startsWith('-');
    const key = sort.replace(/^-/, '');
    matches = [...matches].sort((a, b) => {
      const [x, y] = [sortValue(a, key), sortValue(b, key)];
      if (x === y) return a.id < b.id ? -1 : 1;
      // Missing values sort last in either direction.
      if (!x) return 1;
      if (!y) return -1;
      return (x < y ? -1 : 1) * (descending ? -1 : 1);
    });
  }
  const count = Number(params.get('_count') ?? '20');
  const offset = Number(params.get('_offset') ?? '0');
  const page = matches.slice(offset, offset + count);
  const entry: BundleEntry[] = page.map((resource) => ({
    fullUrl: `${ehr.base}/${resource.resourceType}/${resource.id}`,
    resource,
    search: { mode: 'match' },
  }));
  if (params.getAll('_include').includes('Communication:sender')) {
    const included = new Set<string>();
    for (const r of page) {
      const ref = (r as { sender?: { reference?: string } }).sender?.reference;
      if (!ref || included.has(ref)) continue;
      const [type, id] = ref.split('/') as [Resource['resourceType'], string];
      const sender = ehr.get(type, id);
      if (sender) {
        included.add(ref);
        entry.push({ fullUrl: `${ehr.base}/${ref}`, resource: sender, search: { mode: 'include' } });
      }
    }
  }
  const self = `${ehr.base}/${resourceType}?${params.toString()}`;
  const link = [{ relation: 'self', url: self }];
  if (offset + count < matches.length) {
    const next = new URLSearchParams(params);
    next.set('_offset', String(offset + count));
    link.push({ relation: 'next', url: `${ehr.base}/${resourceType}?${next.toString()}` });
  }
  return { resourceType: 'Bundle', type: 'searchset', total: matches.length, link, entry };
}

function etag(r: Resource): Record<string, string> {
  return r.meta?.versionId ? { etag: `W/"${r.meta.versionId}"` } : {};
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
  return [
    http.get(`${base}/:type`, ({ request, params }) => {
      const refused = authorized(request);
      if (refused) return refused;
      try {
        return fhirJson(search(ehr, String(params.type), new URL(request.url)));
      } catch (error) {
        if (error instanceof Refusal) return error.response;
        throw error;
      }
    }),
    http.get(`${base}/:type/:id`, ({ request, params }) => {
      const refused = authorized(request);
      if (refused) return refused;
      const found = ehr.get(String(params.type) as Resource['resourceType'], String(params.id));
      if (!found) return fhirJson(outcome('not-found', `${String(params.type)}/${String(params.id)} not found`), 404);
      return fhirJson(found, 200, etag(found));
    }),
    http.post(`${base}/:type`, async ({ request, params }) => {
      const refused = authorized(request);
      if (refused) return refused;
      const resource = (await request.json()) as Resource;
      if (resource.resourceType !== params.type) {
        return fhirJson(outcome('invalid', 'resourceType does not match the URL'), 400);
      }
      const condition = request.headers.get('if-none-exist');
      if (condition) {
        const existing = search(ehr, String(params.type), new URL(`${base}/${String(params.type)}?${condition}`));
        const found = existing.entry?.map((e) => e.resource).filter((r): r is Stored => r !== undefined) ?? [];
        if (found.length > 1)
          return fhirJson(outcome('duplicate', 'More than one resource matches If-None-Exist'), 412);
        if (found[0]) return fhirJson(found[0], 200, etag(found[0]));
      }
      const { id: _ignored, ...fresh } = resource;
      const saved = ehr.write(fresh);
      return fhirJson(saved, 201, { ...etag(saved), location: `${base}/${saved.resourceType}/${saved.id}/_history/1` });
    }),
    http.put(`${base}/:type/:id`, async ({ request, params }) => {
      const refused = authorized(request);
      if (refused) return refused;
      const resource = (await request.json()) as Resource;
      const current = ehr.get(String(params.type) as Resource['resourceType'], String(params.id));
      const ifMatch = request.headers.get('if-match');
      if (ifMatch && current && ifMatch !== `W/"${current.meta?.versionId}"`) {
        return fhirJson(
          outcome('conflict', `Version mismatch: the resource is at version ${current.meta?.versionId}`),
          412,
        );
      }
      const saved = ehr.write({ ...resource, id: String(params.id) });
      return fhirJson(saved, current ? 200 : 201, etag(saved));
    }),
  ];
}
