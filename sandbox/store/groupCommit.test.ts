/**
 * Group commit (docs/decisions/090): writes that arrive while a sync runs share the next one, yet nobody hears of a
 * write — as its answer or through a read — before it is on disk, and a failed sync undoes everything not on disk.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Patient } from '@medplum/fhirtypes';
import { afterEach, describe, expect, test } from 'vitest';
import { DataFolder } from './dataFolder';
import { SandboxRepository, type Durability } from './SandboxRepository';
import type { VersionRecord } from './versionRecord';

/** A durability layer whose syncs the test finishes (or fails) by hand. */
function manualDurability(): Durability & {
  commits: VersionRecord[][];
  settle(index: number, error?: Error): void;
} {
  const pending: { resolve: () => void; reject: (err: Error) => void }[] = [];
  const commits: VersionRecord[][] = [];
  return {
    commits,
    commit(records) {
      commits.push([...records]);
      return new Promise<void>((resolve, reject) => pending.push({ resolve, reject }));
    },
    rewrite: () => Promise.resolve(),
    close: () => Promise.resolve(),
    settle(index, error) {
      const waiter = pending[index];
      if (error) waiter?.reject(error);
      else waiter?.resolve();
    },
  };
}

/** Resolves to 'pending' when `promise` has not settled after the event loop turns once. */
async function state(promise: Promise<unknown>): Promise<'pending' | 'resolved' | 'rejected'> {
  let result: 'pending' | 'resolved' | 'rejected' = 'pending';
  promise.then(
    () => (result = 'resolved'),
    () => (result = 'rejected'),
  );
  await new Promise((resolve) => setTimeout(resolve, 20));
  return result;
}

describe('group commit with a controlled disk', () => {
  test('when a sync is still running, then its write has not answered, a read that saw it waits, and the next write already runs', async () => {
    const disk = manualDurability();
    const store = new SandboxRepository({ durability: disk });
    const first = store.createResource<Patient>({ resourceType: 'Patient', gender: 'female' });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = store.createResource<Patient>({ resourceType: 'Patient', gender: 'male' });
    const read = store.searchResources<Patient>({ resourceType: 'Patient' });

    expect(await state(first)).toBe('pending');
    expect(await state(read)).toBe('pending');
    // The second transaction ran in memory and queued its commit while the first sync was still running.
    expect(disk.commits).toHaveLength(2);

    disk.settle(0);
    expect(await state(first)).toBe('resolved');
    expect(await state(read)).toBe('pending');
    disk.settle(1);
    expect((await read).map((p) => p.gender).sort()).toEqual(['female', 'male']);
    expect((await second).meta?.versionId).toBe('1');
  });

  test('when a sync fails, then every write not on disk fails and is undone, reads go on, and writes are refused with the reason', async () => {
    const disk = manualDurability();
    const store = new SandboxRepository({ durability: disk });
    const kept = store.createResource<Patient>({ resourceType: 'Patient', gender: 'female' });
    await new Promise((resolve) => setTimeout(resolve, 5));
    disk.settle(0);
    const keptPatient = await kept;

    const lost = store.updateResource<Patient>({ ...keptPatient, gender: 'other' });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const alsoLost = store.createResource<Patient>({ resourceType: 'Patient', gender: 'male' });
    await new Promise((resolve) => setTimeout(resolve, 5));
    disk.settle(1, new Error('EIO: i/o error'));
    disk.settle(2, new Error('EIO: i/o error'));

    await expect(lost).rejects.toThrow(/EIO/);
    await expect(alsoLost).rejects.toThrow(/EIO/);
    const read = await store.readResource<Patient>('Patient', keptPatient.id);
    expect(read).toEqual(keptPatient);
    expect(await store.searchResources<Patient>({ resourceType: 'Patient' })).toHaveLength(1);
    expect((await store.readHistory('Patient', keptPatient.id)).entry).toHaveLength(1);
    await expect(store.createResource<Patient>({ resourceType: 'Patient' })).rejects.toThrow(/EIO/);
  });
});

describe('group commit on a data folder', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  test('when 200 writes arrive at once, then they share syncs and every one is there after a reopen', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'charttext-group-'));
    dirs.push(dir);
    const { folder } = await DataFolder.open(dir);
    const store = new SandboxRepository({ durability: folder });
    const written = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        store.createResource<Patient>({ resourceType: 'Patient', birthDate: `1990-01-${String((i % 28) + 1)}` }),
      ),
    );
    expect(folder.syncCount()).toBeGreaterThan(0);
    expect(folder.syncCount()).toBeLessThan(200);
    await store.close();

    const reopened = await DataFolder.open(dir);
    expect(reopened.records?.map((record) => (record.op === 'put' ? record.resource.id : '')).sort()).toEqual(
      written.map((patient) => patient.id).sort(),
    );
    await reopened.folder.close();
  });
});
