import type { Bundle, BundleEntry, Communication, OperationOutcome, Task } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CODES, CONCEPTS, IDENTIFIER_SYSTEMS, TOKENS } from '../../fhir-profiles/vocabulary';
import type { FhirTestServer } from './startFhirTestServer';
import { startFhirTestServer } from './startFhirTestServer';

let server: FhirTestServer;
const q = encodeURIComponent;

beforeAll(async () => {
  server = await startFhirTestServer({
    seed: () => [
      { resourceType: 'Patient', id: 'p1' },
      { resourceType: 'Organization', id: 'practice' },
    ],
  });
});

afterAll(async () => {
  await server.dispose();
});

/** An inbound text as the relay files it: header (conditional), message (conditional on the SID), Task. */
function inboundTransaction(sid: string, threadKey: string, status: Communication['status'] = 'completed'): Bundle {
  const header = 'urn:uuid:0f2c1d7e-4b8a-4f0e-9a55-3d0c1b2a1f00';
  const message = 'urn:uuid:7a1e9a6c-2b1f-4d3e-8c77-5e6f7a8b9c0d';
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      {
        fullUrl: header,
        request: { method: 'POST', url: 'Communication', ifNoneExist: `identifier=${q(TOKENS.thread(threadKey))}` },
        resource: {
          resourceType: 'Communication',
          identifier: [{ system: IDENTIFIER_SYSTEMS.thread, value: threadKey }],
          status: 'in-progress',
          subject: { reference: 'Patient/p1' },
          topic: { text: 'SMS' },
        },
      },
      {
        fullUrl: message,
        request: { method: 'POST', url: 'Communication', ifNoneExist: `identifier=${q(TOKENS.twilioSid(sid))}` },
        resource: {
          resourceType: 'Communication',
          identifier: [{ system: IDENTIFIER_SYSTEMS.twilioMessageSid, value: sid }],
          status,
          partOf: [{ reference: header }],
          subject: { reference: 'Patient/p1' },
          sender: { reference: 'Patient/p1' },
          recipient: [{ reference: 'Organization/practice' }],
          payload: [{ contentString: 'Can I come in at 3 instead?' }],
        },
      },
      {
        request: { method: 'POST', url: 'Task' },
        resource: {
          resourceType: 'Task',
          status: 'requested',
          intent: 'order',
          code: CONCEPTS.task(CODES.task.needsResponse),
          focus: { reference: header },
          for: { reference: 'Patient/p1' },
          input: [{ type: { text: 'message' }, valueReference: { reference: message } }],
        },
      },
    ],
  };
}

const count = async (query: string): Promise<number> => (await server.request<Bundle>(query)).body.total ?? -1;

describe('transaction', () => {
  test('when a transaction creates linked resources, then urn:uuid references point at the new ids', async () => {
    const res = await server.request<Bundle>('', {
      method: 'POST',
      json: inboundTransaction(`SM${'1'.repeat(32)}`, 'Patient/p1|+12015550100'),
    });
    expect(res.status).toBe(200);
    expect(res.body.type).toBe('transaction-response');
    expect(res.body.entry?.map((e) => e.response?.status)).toEqual(['201 Created', '201 Created', '201 Created']);
    const [header, message, task] = (res.body.entry ?? []) as BundleEntry<Communication | Task>[];
    expect(header?.response?.location).toMatch(/^Communication\/[^/]+\/_history\/1$/);
    expect(header?.fullUrl).toBe(`${server.baseUrl}/Communication/${header?.resource?.id}`);
    expect((message?.resource as Communication).partOf?.[0]?.reference).toBe(`Communication/${header?.resource?.id}`);
    expect((task?.resource as Task).input?.[0]?.valueReference?.reference).toBe(
      `Communication/${message?.resource?.id}`,
    );
  });

  test('when the same transaction is replayed, then the conditional creates match and nothing is duplicated', async () => {
    const sid = `SM${'2'.repeat(32)}`;
    const key = 'Patient/p1|+12015550199';
    const first = await server.request<Bundle>('', { method: 'POST', json: inboundTransaction(sid, key) });
    const replay = await server.request<Bundle>('', { method: 'POST', json: inboundTransaction(sid, key) });
    expect(replay.body.entry?.slice(0, 2).map((e) => e.response?.status)).toEqual(['200 OK', '200 OK']);
    expect(replay.body.entry?.[1]?.resource?.id).toBe(first.body.entry?.[1]?.resource?.id);
    expect(await count(`Communication?identifier=${q(TOKENS.twilioSid(sid))}`)).toBe(1);
    expect(await count(`Communication?identifier=${q(TOKENS.thread(key))}`)).toBe(1);
  });

  test('when one entry is invalid, then 400 names the entry and element and nothing of the transaction remains', async () => {
    const sid = `SM${'3'.repeat(32)}`;
    const key = 'Patient/p1|+12015550188';
    const before = await count('Task');
    const res = await server.request<OperationOutcome>('', {
      method: 'POST',
      json: inboundTransaction(sid, key, 'delivered' as Communication['status']),
    });
    expect(res.status).toBe(400);
    expect(res.body.issue[0]?.details?.text).toContain('Bundle.entry[1]');
    expect(res.body.issue[0]?.expression).toEqual(['Communication.status']);
    expect(await count(`Communication?identifier=${q(TOKENS.thread(key))}`)).toBe(0);
    expect(await count(`Communication?identifier=${q(TOKENS.twilioSid(sid))}`)).toBe(0);
    expect(await count('Task')).toBe(before);
  });

  test('when an update in a transaction names a stale version, then 412 and the other entries are undone', async () => {
    const patient = await server.request<{ id: string }>('Patient', {
      method: 'POST',
      json: { resourceType: 'Patient' },
    });
    await server.request(`Patient/${patient.body.id}`, {
      method: 'PUT',
      json: { resourceType: 'Patient', id: patient.body.id, gender: 'male' },
    });
    const res = await server.request<OperationOutcome>('', {
      method: 'POST',
      json: {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          { request: { method: 'POST', url: 'Patient' }, resource: { resourceType: 'Patient', gender: 'unknown' } },
          {
            request: { method: 'PUT', url: `Patient/${patient.body.id}`, ifMatch: 'W/"1"' },
            resource: { resourceType: 'Patient', id: patient.body.id, gender: 'female' },
          },
        ],
      },
    });
    expect(res.status).toBe(412);
    expect(await count('Patient?gender=unknown')).toBe(0);
    expect((await server.request<{ gender: string }>(`Patient/${patient.body.id}`)).body.gender).toBe('male');
  });

  test('when a transaction has many conditional entries, then it is not limited', async () => {
    const entry = Array.from({ length: 30 }, (_, i) => ({
      request: { method: 'POST' as const, url: 'Communication', ifNoneExist: `identifier=urn:bulk|${i}` },
      resource: {
        resourceType: 'Communication' as const,
        status: 'completed' as const,
        identifier: [{ system: 'urn:bulk', value: String(i) }],
      },
    }));
    const res = await server.request<Bundle>('', {
      method: 'POST',
      json: { resourceType: 'Bundle', type: 'transaction', entry },
    });
    expect(res.status).toBe(200);
    expect(await count('Communication?identifier=urn:bulk|&_count=0')).toBe(30);
  });

  test('when a GET follows writes in a transaction, then it sees them', async () => {
    const res = await server.request<Bundle>('', {
      method: 'POST',
      json: {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          { request: { method: 'GET', url: 'Patient?gender=other' } },
          { request: { method: 'POST', url: 'Patient' }, resource: { resourceType: 'Patient', gender: 'other' } },
        ],
      },
    });
    expect((res.body.entry?.[0]?.resource as Bundle).total).toBe(1);
  });
});

describe('batch', () => {
  test('when one batch entry fails, then the others still apply and each entry reports its own status', async () => {
    const res = await server.request<Bundle>('', {
      method: 'POST',
      json: {
        resourceType: 'Bundle',
        type: 'batch',
        entry: [
          { request: { method: 'POST', url: 'Patient' }, resource: { resourceType: 'Patient', gender: 'female' } },
          { request: { method: 'POST', url: 'Patient' }, resource: { resourceType: 'Patient', gender: 'x' } },
          { request: { method: 'GET', url: 'Patient/nobody' } },
          { request: { method: 'GET', url: 'Patient?colour=red' } },
        ],
      },
    });
    expect(res.status).toBe(200);
    expect(res.body.type).toBe('batch-response');
    expect(res.body.entry?.map((e) => e.response?.status)).toEqual(['201 Created', '400', '404', '400']);
    const outcome = res.body.entry?.[1]?.response?.outcome as OperationOutcome;
    expect(outcome.issue[0]?.expression).toEqual(['Patient.gender']);
  });

  test('when a batch carries versioned updates, then each entry is judged by its own ifMatch, as a lone PUT would be', async () => {
    const created = await Promise.all(
      Array.from({ length: 6 }, () =>
        server.request<Task>('Task', {
          method: 'POST',
          json: { resourceType: 'Task', status: 'requested', intent: 'order', for: { reference: 'Patient/p1' } },
        }),
      ),
    );
    const [first, ...rest] = created.map((c) => c.body);
    const update = (task: Task, ifMatch: string, status: Task['status']): BundleEntry => ({
      request: { method: 'PUT', url: `Task/${task.id ?? ''}`, ifMatch: `W/"${ifMatch}"` },
      resource: { ...task, status },
    });
    const res = await server.request<Bundle>('', {
      method: 'POST',
      json: {
        resourceType: 'Bundle',
        type: 'batch',
        entry: [
          ...rest.map((task) => update(task, '1', 'in-progress')),
          // Two writers of one version: the first entry wins, the second gets the 412 it would get alone.
          update(first as Task, '1', 'in-progress'),
          update(first as Task, '1', 'cancelled'),
          update(first as Task, '7', 'completed'),
        ],
      },
    });
    expect(res.status).toBe(200);
    expect(res.body.entry?.map((e) => e.response?.status)).toEqual([
      ...rest.map(() => '200 OK'),
      '200 OK',
      '412',
      '412',
    ]);
    expect(res.body.entry?.[0]?.response?.etag).toBe('W/"2"');
    const stored = await server.request<Task>(`Task/${first?.id ?? ''}`);
    expect(stored.body.status).toBe('in-progress');
    expect(stored.body.meta?.versionId).toBe('2');
  });

  test('when the body is not a batch or transaction Bundle, then 400', async () => {
    const res = await server.request<OperationOutcome>('', {
      method: 'POST',
      json: { resourceType: 'Bundle', type: 'collection' },
    });
    expect(res.status).toBe(400);
    expect(res.body.issue[0]?.expression).toEqual(['Bundle.type']);
  });
});
