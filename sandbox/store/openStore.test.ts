import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Patient, Resource } from '@medplum/fhirtypes';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { DATA_FILES } from './dataFolder';
import type { SandboxStore } from './openStore';
import { openStore, resetStore } from './openStore';

const dirs: string[] = [];
const open: SandboxStore[] = [];

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'charttext-store-'));
  dirs.push(dir);
  return dir;
}

async function start(dataDir: string, seed: () => Resource[] = () => SEED): Promise<SandboxStore> {
  const store = await openStore({ dataDir, seed });
  open.push(store);
  return store;
}

const SEED: Resource[] = [
  { resourceType: 'Patient', id: 'seeded', gender: 'female', meta: { lastUpdated: '2026-01-01T00:00:00.000Z' } },
];

afterEach(async () => {
  for (const store of open.splice(0)) await store.close();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('openStore', () => {
  test('when the folder is empty, then it is seeded once', async () => {
    const dir = await tempDir();
    const seed = vi.fn(() => SEED);
    const store = await start(dir, seed);
    expect((await store.readResource<Patient>('Patient', 'seeded')).meta?.versionId).toBe('1');
    await store.close();
    await start(dir, seed);
    expect(seed).toHaveBeenCalledTimes(1);
  });

  test('when the store is closed and reopened, then writes survive and versions and clock continue', async () => {
    const dir = await tempDir();
    const first = await start(dir);
    const created = await first.createResource<Patient>({ resourceType: 'Patient', gender: 'male' });
    const updated = await first.updateResource({ ...created, gender: 'other' });
    await first.close();

    const second = await start(dir);
    const read = await second.readResource<Patient>('Patient', created.id);
    expect(read).toEqual(updated);
    const next = await second.updateResource(read);
    expect(next.meta?.versionId).toBe('3');
    expect(Date.parse(next.meta?.lastUpdated ?? '')).toBeGreaterThan(Date.parse(updated.meta?.lastUpdated ?? ''));
    expect((await second.readHistory('Patient', created.id)).entry).toHaveLength(3);
  });

  test('when the process died mid-write (torn last log line), then the store opens without that write', async () => {
    const dir = await tempDir();
    const first = await start(dir);
    await first.createResource<Patient>({ resourceType: 'Patient', gender: 'male' });
    // Simulate a crash: close() compacts nothing, the commit stays in the log; then a half-written line follows.
    await first.close();
    await appendFile(join(dir, DATA_FILES.log), '{"seq":99,"w":[{"op":"put","resource":{"resourceType":"Pat');
    const second = await start(dir);
    const all = await second.searchResources<Patient>({ resourceType: 'Patient' });
    expect(all.map((p) => p.gender).sort()).toEqual(['female', 'male']);
  });

  test('when a committed log line is corrupt, then opening fails and says how to recover', async () => {
    const dir = await tempDir();
    const first = await start(dir);
    await first.close();
    await writeFile(join(dir, DATA_FILES.log), 'not json\n{"seq":1,"w":[]}\n');
    await expect(openStore({ dataDir: dir, seed: () => SEED })).rejects.toThrow(/corrupt.*sandbox:reset/);
  });

  test('when a transaction fails, then nothing of it reaches the disk', async () => {
    const dir = await tempDir();
    const first = await start(dir);
    await expect(
      first.withTransaction(async () => {
        await first.createResource<Patient>({ resourceType: 'Patient', gender: 'male' });
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    await first.close();
    expect(await readFile(join(dir, DATA_FILES.log), 'utf8')).toBe('');
  });

  test('when the folder is already open, then a second open is refused', async () => {
    const dir = await tempDir();
    await start(dir);
    await expect(openStore({ dataDir: dir, seed: () => SEED })).rejects.toThrow(/already open/);
  });

  test('when reset, then writes are gone and the seed is back (online and offline)', async () => {
    const dir = await tempDir();
    const store = await start(dir);
    const created = await store.createResource<Patient>({ resourceType: 'Patient' });
    await store.deleteResource('Patient', 'seeded');
    await store.reset();
    expect((await store.searchResources({ resourceType: 'Patient' })).map((p) => p.id)).toEqual(['seeded']);
    await store.createResource<Patient>({ resourceType: 'Patient' });
    await store.close();

    await resetStore({ dataDir: dir, seed: () => SEED });
    const reopened = await start(dir);
    expect((await reopened.searchResources({ resourceType: 'Patient' })).map((p) => p.id)).toEqual(['seeded']);
    expect(created.id).toBeDefined();
  });
});
