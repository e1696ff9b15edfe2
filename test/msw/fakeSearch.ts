/**
 * The searches the fake EHR (fhirServer.ts) answers: the parameters the client uses, per resource type, with the
 * modifiers and result parameters it relies on (`:missing`, `_summary=count`, `_include`, `_sort`, `_offset`
 * paging). Anything else is refused with a 400, as the sandbox and strict servers do.
 */
import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';

type Stored = Resource & { id: string };
type Concept = { coding?: { system?: string; code?: string }[] };
type Ref = { reference?: string } | undefined;

interface Param {
  type: 'token' | 'reference' | 'string' | 'date';
  extract: (r: Resource) => string[];
}

/** What a search reads from the store. */
export interface SearchSource {
  base: string;
  all(resourceType: string): Stored[];
  get(resourceType: string, id: string): Stored | undefined;
}

/** A refusal the handler answers with (status and OperationOutcome text). */
export class SearchRefusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const field = <T>(r: Resource, name: string): T | undefined => (r as unknown as Record<string, T | undefined>)[name];

function refs(...refList: (Ref | Ref[] | undefined)[]): string[] {
  return refList
    .flatMap((ref) => (Array.isArray(ref) ? ref : [ref]))
    .flatMap((x) => (x?.reference ? [x.reference] : []));
}

function tokens(concepts: (Concept | undefined)[] | undefined): string[] {
  return (concepts ?? []).flatMap((c) =>
    (c?.coding ?? []).flatMap((x) => [`${x.system}|${x.code}`, `|${x.code}`, `${x.code}`]),
  );
}

function identifiers(r: Resource): string[] {
  return (field<{ system?: string; value?: string }[]>(r, 'identifier') ?? []).flatMap((i) => [
    `${i.system}|${i.value}`,
    `${i.value}`,
  ]);
}

function telecom(r: Resource): string[] {
  return (field<{ system?: string; value?: string }[]>(r, 'telecom') ?? []).flatMap((t) => (t.value ? [t.value] : []));
}

function names(r: Resource): string[] {
  return (field<{ given?: string[]; family?: string; text?: string }[]>(r, 'name') ?? []).flatMap((n) =>
    [...(n.given ?? []), n.family, n.text].filter((x): x is string => typeof x === 'string'),
  );
}

const token = (extract: (r: Resource) => string[]): Param => ({ type: 'token', extract });
const reference = (extract: (r: Resource) => string[]): Param => ({ type: 'reference', extract });
const status = token((r) => [field<string>(r, 'status') ?? '']);

const PARAMS: Record<string, Record<string, Param>> = {
  Communication: {
    subject: reference((r) => refs(field(r, 'subject'))),
    patient: reference((r) => refs(field(r, 'subject'))),
    'part-of': reference((r) => refs(field<Ref[]>(r, 'partOf'))),
    sender: reference((r) => refs(field(r, 'sender'))),
    recipient: reference((r) => refs(field<Ref[]>(r, 'recipient'))),
    status,
    medium: token((r) => tokens(field(r, 'medium'))),
    category: token((r) => tokens(field(r, 'category'))),
    identifier: token(identifiers),
  },
  Consent: {
    patient: reference((r) => refs(field(r, 'patient'))),
    status,
    category: token((r) => tokens(field(r, 'category'))),
  },
  Task: {
    patient: reference((r) => refs(field(r, 'for'))),
    focus: reference((r) => refs(field(r, 'focus'))),
    owner: reference((r) => refs(field(r, 'owner'))),
    status,
    code: token((r) => tokens([field<Concept>(r, 'code')])),
    identifier: token(identifiers),
  },
  Patient: {
    _id: token((r) => [r.id ?? '']),
    name: { type: 'string', extract: names },
    birthdate: { type: 'date', extract: (r) => [field<string>(r, 'birthDate') ?? ''] },
    phone: token(telecom),
  },
  RelatedPerson: {
    patient: reference((r) => refs(field(r, 'patient'))),
    phone: token(telecom),
  },
  PractitionerRole: {
    organization: reference((r) => refs(field(r, 'organization'))),
    practitioner: reference((r) => refs(field(r, 'practitioner'))),
  },
  Practitioner: { _id: token((r) => [r.id ?? '']) },
  Organization: { _id: token((r) => [r.id ?? '']) },
};

const CONTROL = new Set(['_sort', '_count', '_offset', '_include', '_lastUpdated', '_total', '_summary']);

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

function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

function matches(param: Param, r: Resource, wanted: string[], modifier: string | undefined): boolean {
  const values = param.extract(r).filter((v) => v !== '');
  if (modifier === 'missing') return wanted.includes(String(values.length === 0));
  if (param.type === 'string') return values.some((v) => wanted.some((w) => fold(v).startsWith(fold(w))));
  return values.some((v) => wanted.includes(v));
}

function sortValue(r: Resource, key: string): string {
  if (key === '_lastUpdated') return r.meta?.lastUpdated ?? '';
  if (key === 'sent') return field<string>(r, 'sent') ?? '';
  if (key === 'date' || key === 'dateTime') return field<string>(r, 'dateTime') ?? '';
  if (key === 'name' || key === 'family') return names(r).join(' ');
  return '';
}

/** Runs a search the way a FHIR server would; throws a SearchRefusal for what the fake does not support. */
export function runSearch(source: SearchSource, resourceType: string, params: URLSearchParams): Bundle {
  const known = PARAMS[resourceType];
  if (!known) throw new SearchRefusal(400, `Search on ${resourceType} is not supported`);
  let found = source.all(resourceType);
  for (const [key, value] of params) {
    if (CONTROL.has(key)) continue;
    const [name = '', modifier] = key.split(':');
    const param = known[name];
    if (!param || (modifier !== undefined && modifier !== 'missing')) {
      throw new SearchRefusal(400, `Unknown search parameter ${key}`);
    }
    found = found.filter((r) => matches(param, r, value.split(','), modifier));
  }
  for (const value of params.getAll('_lastUpdated')) {
    const prefix = /^[a-z]{2}/.test(value) ? value.slice(0, 2) : 'eq';
    const instant = prefix === 'eq' ? value : value.slice(2);
    found = found.filter((r) => compare(prefix, r.meta?.lastUpdated ?? '', instant));
  }
  const sort = params.get('_sort');
  if (sort) {
    const descending = sort.startsWith('-');
    const key = sort.replace(/^-/, '');
    found = [...found].sort((a, b) => {
      const [x, y] = [sortValue(a, key), sortValue(b, key)];
      if (x === y) return a.id < b.id ? -1 : 1;
      // Missing values sort last in either direction.
      if (!x) return 1;
      if (!y) return -1;
      return (x < y ? -1 : 1) * (descending ? -1 : 1);
    });
  }
  const self = `${source.base}/${resourceType}?${params.toString()}`;
  if (params.get('_summary') === 'count') {
    return { resourceType: 'Bundle', type: 'searchset', total: found.length, link: [{ relation: 'self', url: self }] };
  }
  const count = Number(params.get('_count') ?? '20');
  const offset = Number(params.get('_offset') ?? '0');
  const page = found.slice(offset, offset + count);
  const entry: BundleEntry[] = page.map((resource) => ({
    fullUrl: `${source.base}/${resource.resourceType}/${resource.id}`,
    resource,
    search: { mode: 'match' },
  }));
  const included = new Set<string>();
  for (const spec of params.getAll('_include')) {
    const [type, name = ''] = spec.split(':');
    const param = type === resourceType ? known[name] : undefined;
    if (param?.type !== 'reference') throw new SearchRefusal(400, `_include=${spec} is not supported`);
    for (const ref of page.flatMap(param.extract)) {
      if (included.has(ref)) continue;
      const [refType = '', id = ''] = ref.split('/');
      const target = source.get(refType, id);
      if (!target) continue;
      included.add(ref);
      entry.push({ fullUrl: `${source.base}/${ref}`, resource: target, search: { mode: 'include' } });
    }
  }
  const link = [{ relation: 'self', url: self }];
  if (offset + count < found.length) {
    const next = new URLSearchParams(params);
    next.set('_offset', String(offset + count));
    link.push({ relation: 'next', url: `${source.base}/${resourceType}?${next.toString()}` });
  }
  return { resourceType: 'Bundle', type: 'searchset', total: found.length, link, entry };
}
