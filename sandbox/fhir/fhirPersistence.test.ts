import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Bundle, Communication, OperationOutcome } from '@medplum/fhirtypes';
import { afterEach, describe, expect, test } from 'vitest';
import { buildSeed, SEED_EPOCH, SPECIAL_PATIENTS } from '../seed';
import { resetStore } from '../store/openStore';
import type { FhirTestServer } from './startFhirTestServer';
import { startFhirTestServer } from './startFhirTestServer';

const seed = (): ReturnType<typeof buildSeed> => buildSeed(new Date(SEED_EPOCH));
const servers: FhirTestServer[] = [];
const dirs: string[] = [];

async function start(dataDir: string): Promise<FhirTestServer> {
  const server = await startFhirTestServer({ dataDir, seed });
  servers.push(server);
  return server;
}

async function dataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'charttext-fhir-restart-'));
  dirs.push(dir);
  return dir;
}

afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

const newMessage: Communication = {
  resourceType: 'Communication',
  status: 'preparation',
  partOf: [{ reference: `Communication/thread-${SPECIAL_PATIENTS.longThread}` }],
  subject: { reference: `Patient/${SPECIAL_PATIENTS.longThread}` },
  payload: [{ contentString: 'Hola María, su receta está lista.' }],
};

describe('persistence', () => {
  test('when the server restarts on the same data folder, then messages and versions survive', async () => {
    const dir = await dataDir();
    const first = await start(dir);
    const created = await first.request<Communication>('Communication', { method: 'POST', json: newMessage });
    const updated = await first.request<Communication>(`Communication/${created.body.id}`, {
      method: 'PUT',
      headers: { 'If-Match': 'W/"1"' },
      json: { ...created.body, status: 'in-progress' },
    });
    await first.close();

    const second = await start(dir);
    const read = await second.request<Communication>(`Communication/${created.body.id}`);
    expect(read.status).toBe(200);
    expect(read.headers.get('etag')).toBe('W/"2"');
    expect(read.body).toEqual(updated.body);
    const stale = await second.request<OperationOutcome>(`Communication/${created.body.id}`, {
      method: 'PUT',
      headers: { 'If-Match': 'W/"1"' },
      json: read.body,
    });
    expect(stale.status).toBe(412);
    const next = await second.request<Communication>(`Communication/${created.body.id}`, {
      method: 'PUT',
      headers: { 'If-Match': 'W/"2"' },
      json: { ...read.body, status: 'completed', sent: '2026-11-01T15:00:00Z' },
    });
    expect(next.headers.get('etag')).toBe('W/"3"');
    expect(Date.parse(next.body.meta?.lastUpdated ?? '')).toBeGreaterThan(
      Date.parse(read.body.meta?.lastUpdated ?? ''),
    );
  });

  test('when the store is reset, then written data is gone and the seed is back', async () => {
    const dir = await dataDir();
    const server = await start(dir);
    const created = await server.request<Communication>('Communication', { method: 'POST', json: newMessage });
    await server.request(`Patient/${SPECIAL_PATIENTS.noPhone}`, { method: 'DELETE' });
    await server.store.reset();
    expect((await server.request(`Communication/${created.body.id}`)).status).toBe(404);
    expect((await server.request(`Patient/${SPECIAL_PATIENTS.noPhone}`)).status).toBe(200);
    const afterReset = await server.request<Communication>('Communication', { method: 'POST', json: newMessage });
    await server.close();

    await resetStore({ dataDir: dir, seed });
    const reopened = await start(dir);
    expect((await reopened.request(`Communication/${afterReset.body.id}`)).status).toBe(404);
    expect((await reopened.request<Bundle>('Patient?_summary=count')).body.total).toBe(26);
  });
});
