import type { Binary, Bundle, Communication, OperationOutcome } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Grant } from '../auth/grant';
import type { FhirTestServer } from './startFhirTestServer';
import { startFhirTestServer } from './startFhirTestServer';

// Review finding: scope and compartment checks must hold for every version a history or vread returns, including
// versions of deleted resources, and a Binary is only returned to a token that can read its securityContext.
const future = Math.floor(Date.now() / 1000) + 3600;
const GRANTS: Record<string, Grant> = {
  maria: {
    clientId: 'charttext',
    scopes: ['patient/Communication.cruds', 'patient/Patient.rs', 'patient/Binary.cr'],
    patient: 'maria',
    fhirUser: 'Practitioner/dr-lee',
    expiresAt: future,
  },
  'maria-binary-only': {
    clientId: 'charttext',
    scopes: ['patient/Binary.r'],
    patient: 'maria',
    fhirUser: 'Practitioner/dr-lee',
    expiresAt: future,
  },
  'user-binary-only': {
    clientId: 'charttext',
    scopes: ['user/Binary.r'],
    fhirUser: 'Practitioner/fd-brooks',
    expiresAt: future,
  },
  'user-binary-and-messages': {
    clientId: 'charttext',
    scopes: ['user/Binary.r', 'user/Communication.r'],
    fhirUser: 'Practitioner/fd-brooks',
    expiresAt: future,
  },
  admin: { clientId: 'charttext', scopes: ['user/*.*'], fhirUser: 'Practitioner/fd-brooks', expiresAt: future },
};

const message = (patient: string, id: string, text: string): Communication => ({
  resourceType: 'Communication',
  id,
  status: 'completed',
  subject: { reference: `Patient/${patient}` },
  recipient: [{ reference: `Patient/${patient}` }],
  payload: [{ contentString: text }],
});

let server: FhirTestServer;

beforeAll(async () => {
  server = await startFhirTestServer({
    seed: () => [
      { resourceType: 'Patient', id: 'maria' },
      { resourceType: 'Patient', id: 'robert' },
      message('maria', 'm1', 'for maria'),
      message('robert', 'r1', 'ROBERT ONLY 1'),
      message('robert', 'r2', 'ROBERT ONLY 2'),
      message('robert', 'moved', 'ROBERT ONLY moved'),
      {
        resourceType: 'Binary',
        id: 'b-robert',
        contentType: 'image/jpeg',
        data: 'anBlZw==',
        securityContext: { reference: 'Communication/r2' },
      } satisfies Binary,
      {
        resourceType: 'Binary',
        id: 'b-maria',
        contentType: 'image/jpeg',
        data: 'anBlZw==',
        securityContext: { reference: 'Communication/m1' },
      } satisfies Binary,
    ],
    verifyAccessToken: (token) => Promise.resolve(GRANTS[token]),
    smartConfiguration: () => ({}),
  });
  // Robert's r1 is deleted; "moved" is re-filed from Robert to Maria (as the inbox does when linking a number).
  expect((await server.request('Communication/r1', as('admin', { method: 'DELETE' }))).status).toBe(200);
  const moved = await server.request(
    'Communication/moved',
    as('admin', { method: 'PUT', json: message('maria', 'moved', 'now for maria') }),
  );
  expect(moved.status).toBe(200);
});

afterAll(async () => {
  await server.dispose();
});

function as(token: string, init: RequestInit & { json?: unknown } = {}): RequestInit & { json?: unknown } {
  return {
    ...init,
    headers: { ...(init.headers as Record<string, string> | undefined), Authorization: `Bearer ${token}` },
  };
}

const leaks = (body: unknown): boolean => JSON.stringify(body).includes('ROBERT');

describe('history and vread of deleted resources', () => {
  test.each([
    ['Communication/r1/_history'],
    ['Communication/r1/_history?_count=1'],
    ['Communication/r1/_history/1'],
    ['Communication/r1/_history/2'],
  ])(
    'when a patient/ token reads %s of another patient’s deleted message, then 403 and nothing of it',
    async (path) => {
      const res = await server.request<OperationOutcome>(path, as('maria'));
      expect(res.status).toBe(403);
      expect(leaks(res.body)).toBe(false);
    },
  );

  test('when a patient/ token re-creates another patient’s deleted message, then 403 and its history stays closed', async () => {
    const res = await server.request(
      'Communication/r1',
      as('maria', { method: 'PUT', json: message('maria', 'r1', 'taken over') }),
    );
    expect(res.status).toBe(403);
    expect((await server.request('Communication/r1/_history', as('maria'))).status).toBe(403);
  });

  test('when a message moved into the launch patient’s compartment, then its history shows only the versions there', async () => {
    const res = await server.request<Bundle<Communication>>('Communication/moved/_history', as('maria'));
    expect(res.status).toBe(200);
    expect(leaks(res.body)).toBe(false);
    expect(res.body.entry?.map((e) => e.resource?.payload?.[0]?.contentString)).toEqual(['now for maria']);
    expect(res.body.total).toBe(1);
    expect((await server.request('Communication/moved/_history/1', as('maria'))).status).toBe(403);
    expect((await server.request('Communication/moved/_history/2', as('maria'))).status).toBe(200);
  });

  test('when a user/ token reads a deleted message’s history, then every version comes back', async () => {
    const res = await server.request<Bundle>('Communication/r1/_history', as('admin'));
    expect(res.status).toBe(200);
    expect(res.body.entry?.map((e) => e.request?.method)).toEqual(['DELETE', 'POST']);
    expect((await server.request('Communication/r1/_history/2', as('admin'))).status).toBe(410);
  });
});

describe('Binary.securityContext', () => {
  test.each([
    ['maria', 'b-maria', 200],
    ['maria', 'b-robert', 403],
    ['maria-binary-only', 'b-maria', 403],
    ['user-binary-only', 'b-robert', 403],
    ['user-binary-and-messages', 'b-robert', 200],
  ])('when %s reads Binary/%s, then %i', async (token, id, status) => {
    // A Binary read answers with its own content type (https://hl7.org/fhir/R4/binary.html#rest), so plain fetch.
    const res = await fetch(`${server.baseUrl}/Binary/${id}`, { headers: { Authorization: `Bearer ${token}` } });
    expect(res.status).toBe(status);
  });

  test('when a patient/ token creates a Binary guarded by another patient’s message, then 403', async () => {
    const res = await server.request<OperationOutcome>(
      'Binary',
      as('maria', {
        method: 'POST',
        json: { resourceType: 'Binary', contentType: 'text/plain', securityContext: { reference: 'Communication/r2' } },
      }),
    );
    expect(res.status).toBe(403);
    expect(res.body.issue[0]?.details?.text).toContain('securityContext');
  });
});
