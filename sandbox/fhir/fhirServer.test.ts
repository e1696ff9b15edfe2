import type { Binary, Bundle, CapabilityStatement, Communication, OperationOutcome, Patient } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { IDENTIFIER_SYSTEMS } from '../../fhir-profiles/vocabulary';
import type { FhirTestServer } from './startFhirTestServer';
import { startFhirTestServer } from './startFhirTestServer';

let server: FhirTestServer;

const message = (extra: Partial<Communication> = {}): Communication => ({
  resourceType: 'Communication',
  status: 'preparation',
  subject: { reference: 'Patient/p1' },
  payload: [{ contentString: 'Your appointment is tomorrow at 9:30.' }],
  ...extra,
});

beforeAll(async () => {
  server = await startFhirTestServer({
    seed: () => [{ resourceType: 'Patient', id: 'p1', gender: 'female' }],
    validate: (resource) =>
      resource.resourceType === 'Communication' && resource.payload?.[0]?.contentString === 'x'
        ? {
            resourceType: 'OperationOutcome',
            issue: [
              {
                severity: 'error',
                code: 'invariant',
                details: { text: 'payload too short' },
                expression: ['Communication.payload'],
              },
            ],
          }
        : undefined,
  });
});

afterAll(async () => {
  await server.dispose();
});

describe('metadata', () => {
  test('when the CapabilityStatement is read, then it states the supported interactions and parameters', async () => {
    const res = await server.request<CapabilityStatement>('metadata');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/fhir+json; charset=utf-8');
    const rest = res.body.rest?.[0];
    expect(rest?.interaction?.map((i) => i.code)).toEqual(['transaction', 'batch']);
    const communication = rest?.resource?.find((r) => r.type === 'Communication');
    expect(communication).toMatchObject({
      versioning: 'versioned-update',
      conditionalCreate: true,
      updateCreate: true,
    });
    const params = communication?.searchParam?.map((p) => p.name) ?? [];
    expect(params).toEqual(expect.arrayContaining(['part-of', 'subject', 'sent', 'identifier', '_lastUpdated']));
    expect(params).not.toContain('_has');
    expect(communication?.searchInclude).toContain('Communication:sender');
    expect(rest?.security).toBeUndefined();
  });
});

describe('create, read, update', () => {
  test('when a resource is created, then 201 with Location, ETag and Last-Modified; a read returns the same version', async () => {
    const created = await server.request<Communication>('Communication', { method: 'POST', json: message() });
    expect(created.status).toBe(201);
    const id = created.body.id ?? '';
    expect(created.headers.get('location')).toBe(`${server.baseUrl}/Communication/${id}/_history/1`);
    expect(created.headers.get('etag')).toBe('W/"1"');
    expect(new Date(created.headers.get('last-modified') ?? '').getTime()).toBeGreaterThan(0);

    const read = await server.request<Communication>(`Communication/${id}`);
    expect(read.status).toBe(200);
    expect(read.headers.get('etag')).toBe('W/"1"');
    expect(read.body).toEqual(created.body);

    const unchanged = await server.request(`Communication/${id}`, { headers: { 'If-None-Match': 'W/"1"' } });
    expect(unchanged.status).toBe(304);
  });

  test('when If-Match names a stale version, then 412 and the resource keeps the newer write', async () => {
    const created = await server.request<Communication>('Communication', { method: 'POST', json: message() });
    const id = created.body.id ?? '';
    const claimed = await server.request<Communication>(`Communication/${id}`, {
      method: 'PUT',
      headers: { 'If-Match': 'W/"1"' },
      json: { ...created.body, status: 'in-progress' },
    });
    expect(claimed.status).toBe(200);
    expect(claimed.headers.get('etag')).toBe('W/"2"');

    const stale = await server.request<OperationOutcome>(`Communication/${id}`, {
      method: 'PUT',
      headers: { 'If-Match': 'W/"1"' },
      json: { ...created.body, status: 'stopped', statusReason: { text: 'second relay' } },
    });
    expect(stale.status).toBe(412);
    expect(stale.body.resourceType).toBe('OperationOutcome');
    expect(stale.body.issue[0]?.details?.text).toContain('version 2');
    expect((await server.request<Communication>(`Communication/${id}`)).body.status).toBe('in-progress');
  });

  test('when the same If-None-Exist create is sent twice, then one resource exists and the replay answers 200', async () => {
    const sid = { system: IDENTIFIER_SYSTEMS.twilioMessageSid, value: `SM${'a'.repeat(32)}` };
    const post = () =>
      server.request<Communication>('Communication', {
        method: 'POST',
        headers: { 'If-None-Exist': `identifier=${sid.system}|${sid.value}` },
        json: message({ status: 'completed', identifier: [sid] }),
      });
    const first = await post();
    const replay = await post();
    expect([first.status, replay.status]).toEqual([201, 200]);
    expect(replay.body.id).toBe(first.body.id);
    const search = await server.request<Bundle>(`Communication?identifier=${encodeURIComponent(sid.value)}`);
    expect(search.body.total).toBe(1);
  });

  test('when If-None-Exist matches several resources, then 412', async () => {
    const twin = message({ status: 'completed', identifier: [{ system: 'urn:test', value: 'twin' }] });
    await server.request('Communication', { method: 'POST', json: twin });
    await server.request('Communication', { method: 'POST', json: twin });
    const res = await server.request<OperationOutcome>('Communication', {
      method: 'POST',
      headers: { 'If-None-Exist': 'identifier=urn:test|twin' },
      json: twin,
    });
    expect(res.status).toBe(412);
  });

  test('when PUT names a new id, then it is created: 201 with Location', async () => {
    const res = await server.request<Patient>('Patient/new-by-put', {
      method: 'PUT',
      json: { resourceType: 'Patient', id: 'new-by-put' },
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(`${server.baseUrl}/Patient/new-by-put/_history/1`);
  });

  test('when Prefer asks for minimal or an OperationOutcome, then the body follows it', async () => {
    const minimal = await fetch(`${server.baseUrl}/Communication`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/fhir+json', Prefer: 'return=minimal' },
      body: JSON.stringify(message()),
    });
    expect(minimal.status).toBe(201);
    expect(minimal.headers.get('location')).toMatch(/\/_history\/1$/);
    expect(await minimal.text()).toBe('');
    const outcome = await server.request<OperationOutcome>('Communication', {
      method: 'POST',
      headers: { Prefer: 'return=OperationOutcome' },
      json: message(),
    });
    expect(outcome.body.resourceType).toBe('OperationOutcome');
  });

  test('when a resource is deleted, then reading it answers 410 and its history lists every version', async () => {
    const created = await server.request<Communication>('Communication', { method: 'POST', json: message() });
    const id = created.body.id ?? '';
    await server.request(`Communication/${id}`, { method: 'PUT', json: { ...created.body, status: 'in-progress' } });
    expect((await server.request(`Communication/${id}`, { method: 'DELETE' })).status).toBe(200);
    expect((await server.request(`Communication/${id}`)).status).toBe(410);
    const history = await server.request<Bundle>(`Communication/${id}/_history`);
    expect(history.body.type).toBe('history');
    expect(history.body.entry?.map((e) => e.response?.etag)).toEqual(['W/"3"', 'W/"2"', 'W/"1"']);
    expect(history.body.entry?.[1]?.fullUrl).toBe(`${server.baseUrl}/Communication/${id}`);
  });
});

describe('rejected requests', () => {
  test.each([
    ['a status outside the required binding', { status: 'bogus' }, 'Communication.status'],
    ['an unknown element', { colour: 'blue' }, 'Communication.colour'],
    ['a malformed dateTime', { sent: 'yesterday' }, 'Communication.sent'],
    ['a priority outside the required binding', { priority: 'soon' }, 'Communication.priority'],
  ] as [string, Record<string, unknown>, string][])(
    'when a Communication has %s, then 400 names the element',
    async (_label, change, expression) => {
      const res = await server.request<OperationOutcome>('Communication', {
        method: 'POST',
        json: { ...message(), ...change },
      });
      expect(res.status).toBe(400);
      expect(res.body.issue.flatMap((i) => i.expression ?? [])).toContain(expression);
    },
  );

  test('when a Patient has a bad gender and telecom codes, then 400 lists each element', async () => {
    const res = await server.request<OperationOutcome>('Patient', {
      method: 'POST',
      json: { resourceType: 'Patient', gender: 'f', telecom: [{ system: 'cell', value: '1', use: 'cell' }] },
    });
    expect(res.status).toBe(400);
    expect(res.body.issue.flatMap((i) => i.expression ?? [])).toEqual(
      expect.arrayContaining(['Patient.gender', 'Patient.telecom[0].system', 'Patient.telecom[0].use']),
    );
  });

  test('when the validate hook rejects, then 422 with its outcome', async () => {
    const res = await server.request<OperationOutcome>('Communication', {
      method: 'POST',
      json: message({ payload: [{ contentString: 'x' }] }),
    });
    expect(res.status).toBe(422);
    expect(res.body.issue[0]?.details?.text).toBe('payload too short');
  });

  test.each([
    ['Communication?colour=blue', 'colour'],
    ['Communication?status:text=done', ':text'],
    ['Communication?subject.name=Garcia', 'Chained'],
    ['Communication?_has:Task:focus:status=ready', '_has'],
    ['Communication?_elements=id', '_elements'],
    ['Communication?sent=ap2026-01-01', 'ap'],
    ['Communication?sent=last-week', 'not a valid FHIR date'],
    ['Communication?_sort=payload', 'Cannot sort'],
    ['Communication?_include=Communication:about', 'no reference parameter'],
    ['Communication?_include:iterate=Communication:sender', '_include:iterate'],
    ['Communication?_count=-1', '_count'],
    ['Patient?phone:exact=1', ':exact'],
    ['Binary?_id=1', 'Search is not supported for Binary'],
  ])('when searching %s, then 400 says what is unsupported', async (path, mention) => {
    const res = await server.request<OperationOutcome>(path);
    expect(res.status).toBe(400);
    expect(res.body.issue[0]?.details?.text).toContain(mention);
  });

  test.each([
    ['an unknown type', 'Observation/1', {}, 404],
    ['an unknown id', 'Patient/nobody', {}, 404],
    [
      'PATCH',
      'Patient/p1',
      { method: 'PATCH', headers: { 'Content-Type': 'application/json-patch+json' }, body: '[]' },
      405,
    ],
    ['XML only', 'Patient/p1', { headers: { Accept: 'application/fhir+xml' } }, 406],
    [
      'invalid JSON',
      'Patient',
      { method: 'POST', headers: { 'Content-Type': 'application/fhir+json' }, body: '{' },
      400,
    ],
    ['a text body', 'Patient', { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'hi' }, 415],
    [
      'a body over the limit',
      'Binary',
      { method: 'POST', headers: { 'Content-Type': 'image/png' }, body: Buffer.alloc(9 * 1024 * 1024) },
      413,
    ],
    [
      'a type mismatch',
      'Patient',
      { method: 'POST', headers: { 'Content-Type': 'application/fhir+json' }, body: '{"resourceType":"Task"}' },
      400,
    ],
  ] as const)('when the request has %s, then %i with an OperationOutcome', async (_label, path, init, status) => {
    const res = await server.request<OperationOutcome>(path, init);
    expect(res.status).toBe(status);
    expect(res.body.resourceType).toBe('OperationOutcome');
    expect(res.body.issue[0]?.details?.text).toBeTruthy();
  });
});

describe('Binary (MMS media)', () => {
  test('when raw bytes are posted, then they come back raw by default and as a Binary resource on request', async () => {
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
    const created = await fetch(`${server.baseUrl}/Binary`, {
      method: 'POST',
      headers: { 'Content-Type': 'image/png', 'X-Security-Context': 'Patient/p1' },
      body: bytes,
    });
    expect(created.status).toBe(201);
    const location = created.headers.get('location') ?? '';
    const id = /Binary\/([^/]+)\//.exec(location)?.[1] ?? '';

    const raw = await fetch(`${server.baseUrl}/Binary/${id}`);
    expect(raw.status).toBe(200);
    expect(raw.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await raw.arrayBuffer())).toEqual(bytes);

    const json = await server.request<Binary>(`Binary/${id}`, { headers: { Accept: 'application/fhir+json' } });
    expect(json.body).toMatchObject({ contentType: 'image/png', data: bytes.toString('base64') });
    expect(json.body.securityContext?.reference).toBe('Patient/p1');
  });

  test('when a Binary is posted as FHIR JSON, then it is stored like any resource', async () => {
    const res = await server.request<Binary>('Binary', {
      method: 'POST',
      json: { resourceType: 'Binary', contentType: 'image/jpeg', data: Buffer.from('jpeg').toString('base64') },
    });
    expect(res.status).toBe(201);
    const raw = await fetch(`${server.baseUrl}/Binary/${res.body.id ?? ''}`);
    expect(await raw.text()).toBe('jpeg');
  });
});

describe('HTTP details', () => {
  test('when a browser preflights a cross-origin write, then CORS allows the FHIR headers', async () => {
    const res = await fetch(`${server.baseUrl}/Communication/1`, {
      method: 'OPTIONS',
      headers: {
        Origin: 'http://127.0.0.1:3000',
        'Access-Control-Request-Method': 'PUT',
        'Access-Control-Request-Headers': 'authorization, if-match, content-type',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:3000');
    expect(res.headers.get('access-control-allow-headers')).toContain('If-Match');
    const read = await fetch(`${server.baseUrl}/Patient/p1`, { headers: { Origin: 'http://127.0.0.1:3000' } });
    expect(read.headers.get('access-control-expose-headers')).toContain('ETag');
  });

  test('when HEAD is sent, then the headers of the read come back without a body', async () => {
    const res = await fetch(`${server.baseUrl}/Patient/p1`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe('W/"1"');
    expect(await res.text()).toBe('');
  });

  test('when searching by POST _search with a form body, then it searches like GET', async () => {
    const res = await server.request<Bundle>('Patient/_search', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'gender=female&_count=5',
    });
    expect(res.status).toBe(200);
    expect(res.body.entry?.map((e) => e.resource?.id)).toContain('p1');
    expect(res.body.link?.find((l) => l.relation === 'self')?.url).toContain('gender=female');
  });
});
