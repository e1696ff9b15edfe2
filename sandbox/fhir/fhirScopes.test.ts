import type { Bundle, CapabilityStatement, Communication, OperationOutcome } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { EXTERNAL_EXTENSIONS } from '../../fhir-profiles/vocabulary';
import type { Grant } from '../auth/grant';
import type { FhirTestServer } from './startFhirTestServer';
import { startFhirTestServer } from './startFhirTestServer';

const future = Math.floor(Date.now() / 1000) + 3600;
const GRANTS: Record<string, Grant> = {
  'maria-v2': {
    clientId: 'charttext',
    scopes: ['openid', 'fhirUser', 'launch', 'patient/Communication.cruds', 'patient/Patient.rs', 'patient/Binary.cr'],
    patient: 'maria',
    fhirUser: 'Practitioner/dr-lee',
    expiresAt: future,
  },
  'maria-v1-read': {
    clientId: 'charttext',
    scopes: ['patient/Communication.read', 'patient/Practitioner.read'],
    patient: 'maria',
    fhirUser: 'Practitioner/dr-lee',
    expiresAt: future,
  },
  'no-patient': {
    clientId: 'charttext',
    scopes: ['patient/Communication.rs'],
    fhirUser: 'Practitioner/dr-lee',
    expiresAt: future,
  },
  'user-all': { clientId: 'charttext', scopes: ['user/*.*'], fhirUser: 'Practitioner/fd-brooks', expiresAt: future },
  relay: {
    clientId: 'charttext-relay',
    scopes: ['system/Communication.cruds', 'system/Patient.rs'],
    expiresAt: future,
  },
  'query-scope': {
    clientId: 'charttext',
    scopes: ['patient/Communication.rs?category=x'],
    patient: 'maria',
    fhirUser: 'Practitioner/dr-lee',
    expiresAt: future,
  },
  expired: { clientId: 'charttext', scopes: ['user/*.*'], fhirUser: 'Practitioner/dr-lee', expiresAt: 1 },
};

const SMART = {
  authorization_endpoint: 'http://127.0.0.1:3001/auth/authorize',
  token_endpoint: 'http://127.0.0.1:3001/auth/token',
  capabilities: ['launch-ehr', 'permission-v2'],
};

let server: FhirTestServer;

const message = (patient: string, id?: string): Communication => ({
  resourceType: 'Communication',
  ...(id ? { id } : {}),
  status: 'completed',
  subject: { reference: `Patient/${patient}` },
  sender: { reference: 'Practitioner/dr-lee' },
  recipient: [{ reference: `Patient/${patient}` }],
  payload: [{ contentString: 'See you Tuesday.' }],
});

beforeAll(async () => {
  server = await startFhirTestServer({
    seed: () => [
      { resourceType: 'Patient', id: 'maria' },
      { resourceType: 'Patient', id: 'robert' },
      { resourceType: 'Practitioner', id: 'dr-lee' },
      message('maria', 'm1'),
      message('maria', 'm2'),
      message('robert', 'r1'),
    ],
    verifyAccessToken: (token) => Promise.resolve(GRANTS[token]),
    smartConfiguration: () => SMART,
  });
});

afterAll(async () => {
  await server.dispose();
});

const as = (token: string, init: RequestInit & { json?: unknown } = {}): RequestInit & { json?: unknown } => ({
  ...init,
  headers: { ...(init.headers as Record<string, string> | undefined), Authorization: `Bearer ${token}` },
});

describe('authentication', () => {
  test('when no token is sent, then 401 with WWW-Authenticate and an OperationOutcome', async () => {
    const res = await server.request<OperationOutcome>('Communication/m1');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(`Bearer realm="${server.baseUrl}"`);
    expect(res.body.issue[0]?.details?.text).toContain('Authorization: Bearer');
  });

  test.each([['unknown-token'], ['expired']])('when the token is %s, then 401 invalid_token', async (token) => {
    const res = await server.request<OperationOutcome>('Communication/m1', as(token));
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  test('when metadata and discovery are read without a token, then they answer, and metadata names the OAuth endpoints', async () => {
    const metadata = await server.request<CapabilityStatement>('metadata');
    expect(metadata.status).toBe(200);
    const security = metadata.body.rest?.[0]?.security;
    const uris = security?.extension?.find((e) => e.url === EXTERNAL_EXTENSIONS.smartOAuthUris)?.extension;
    expect(uris?.map((e) => [e.url, e.valueUri])).toEqual([
      ['authorize', SMART.authorization_endpoint],
      ['token', SMART.token_endpoint],
    ]);
    const discovery = await server.request<typeof SMART>('.well-known/smart-configuration');
    expect(discovery.status).toBe(200);
    expect(discovery.body).toEqual(SMART);
  });
});

describe('scopes', () => {
  test('when the token lacks the scope for the interaction, then 403 names the scope needed', async () => {
    const res = await server.request<OperationOutcome>(
      'Communication',
      as('maria-v1-read', { method: 'POST', json: message('maria') }),
    );
    expect(res.status).toBe(403);
    expect(res.body.issue[0]?.details?.text).toContain('requires patient/Communication.c or user/Communication.c');
  });

  test('when v1 .read is granted, then read and search work', async () => {
    expect((await server.request('Communication/m1', as('maria-v1-read'))).status).toBe(200);
    expect((await server.request('Communication?subject=Patient/maria', as('maria-v1-read'))).status).toBe(200);
  });

  test('when a backend token lacks a type, then 403 names the system scope', async () => {
    const res = await server.request<OperationOutcome>('Practitioner/dr-lee', as('relay'));
    expect(res.status).toBe(403);
    expect(res.body.issue[0]?.details?.text).toContain('system/Practitioner.r');
  });

  test('when a v2 scope carries a query, then it grants nothing and the 403 says it is unsupported', async () => {
    const res = await server.request<OperationOutcome>('Communication?subject=Patient/maria', as('query-scope'));
    expect(res.status).toBe(403);
    expect(res.body.issue[0]?.details?.text).toContain('not supported');
  });

  test('when a patient/ scope has no launch patient, then 403 says so', async () => {
    const res = await server.request<OperationOutcome>('Communication', as('no-patient'));
    expect(res.status).toBe(403);
    expect(res.body.issue[0]?.details?.text).toContain('launch patient');
  });

  test('when user/ and system/ scopes are used, then every patient is reachable', async () => {
    expect((await server.request<Bundle>('Communication', as('user-all'))).body.total).toBe(3);
    expect((await server.request<Bundle>('Communication', as('relay'))).body.total).toBe(3);
    expect(
      (await server.request('Communication', as('relay', { method: 'POST', json: message('robert') }))).status,
    ).toBe(201);
  });
});

describe('patient compartment', () => {
  test('when reading another patient’s message, then 403; the launch patient’s, 200', async () => {
    expect((await server.request('Communication/m1', as('maria-v2'))).status).toBe(200);
    const other = await server.request<OperationOutcome>('Communication/r1', as('maria-v2'));
    expect(other.status).toBe(403);
    expect(other.body.issue[0]?.details?.text).toContain('compartment');
    expect((await server.request('Patient/robert', as('maria-v2'))).status).toBe(403);
  });

  test('when searching without naming a patient, then only the launch patient’s compartment comes back', async () => {
    const messages = await server.request<Bundle>('Communication', as('maria-v2'));
    expect(messages.body.entry?.map((e) => e.resource?.id).sort()).toEqual(['m1', 'm2']);
    const patients = await server.request<Bundle>('Patient', as('maria-v2'));
    expect(patients.body.entry?.map((e) => e.resource?.id)).toEqual(['maria']);
    expect((await server.request<Bundle>('Communication?subject=Patient/robert', as('maria-v2'))).body.total).toBe(0);
  });

  test('when writing for another patient, then 403; for the launch patient, 201', async () => {
    const other = await server.request<OperationOutcome>(
      'Communication',
      as('maria-v2', { method: 'POST', json: message('robert') }),
    );
    expect(other.status).toBe(403);
    expect(other.body.issue[0]?.details?.text).toContain('subject, sender, recipient');
    const own = await server.request('Communication', as('maria-v2', { method: 'POST', json: message('maria') }));
    expect(own.status).toBe(201);
  });

  test('when an update would move a message out of the compartment, then 403 and it stays', async () => {
    const res = await server.request(
      'Communication/m2',
      as('maria-v2', { method: 'PUT', json: message('robert', 'm2') }),
    );
    expect(res.status).toBe(403);
    const read = await server.request<Communication>('Communication/m2', as('maria-v2'));
    expect(read.body.subject?.reference).toBe('Patient/maria');
  });

  test('when a transaction has one entry outside the compartment, then 403 and nothing is written', async () => {
    const res = await server.request(
      '',
      as('maria-v2', {
        method: 'POST',
        json: {
          resourceType: 'Bundle',
          type: 'transaction',
          entry: [
            {
              request: { method: 'POST', url: 'Communication' },
              resource: { ...message('maria'), payload: [{ contentString: 'tx-marker' }] },
            },
            { request: { method: 'POST', url: 'Communication' }, resource: message('robert') },
          ],
        },
      }),
    );
    expect(res.status).toBe(403);
    const all = await server.request<Bundle<Communication>>('Communication?_count=100', as('user-all'));
    expect(all.body.entry?.some((e) => e.resource?.payload?.[0]?.contentString === 'tx-marker')).toBe(false);
  });

  test('when a Binary is posted with a create scope, then it is stored; reading needs a security context in the compartment', async () => {
    const created = await fetch(`${server.baseUrl}/Binary`, {
      method: 'POST',
      headers: {
        Authorization: 'Bearer maria-v2',
        'Content-Type': 'image/jpeg',
        'X-Security-Context': 'Communication/m1',
      },
      body: Buffer.from('jpeg'),
    });
    expect(created.status).toBe(201);
    const location = created.headers.get('location') ?? '';
    expect(
      (await fetch(location.replace(/\/_history\/\d+$/, ''), { headers: { Authorization: 'Bearer maria-v2' } })).status,
    ).toBe(200);
    const unrelated = await server.request<{ id: string }>(
      'Binary',
      as('user-all', {
        method: 'POST',
        json: { resourceType: 'Binary', contentType: 'image/jpeg', securityContext: { reference: 'Communication/r1' } },
      }),
    );
    expect((await server.request(`Binary/${unrelated.body.id}`, as('maria-v2'))).status).toBe(403);
  });

  test('when _include brings a resource the token cannot read, then it is left out with a warning entry', async () => {
    const res = await server.request<Bundle>('Communication?_include=Communication:sender', as('maria-v2'));
    const modes = res.body.entry?.map((e) => e.search?.mode);
    expect(modes).not.toContain('include');
    expect(modes).toContain('outcome');
    const withPractitioners = await server.request<Bundle>(
      'Communication?_include=Communication:sender',
      as('maria-v1-read'),
    );
    expect(
      withPractitioners.body.entry?.filter((e) => e.search?.mode === 'include').map((e) => e.resource?.id),
    ).toEqual(['dr-lee']);
  });
});
