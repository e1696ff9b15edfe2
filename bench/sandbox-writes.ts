/**
 * Write throughput of the sandbox EHR's store (docs/decisions/090): versioned updates per second, 16 writers at
 * once, durable with group commit, against two baselines measured in the same run: one write and its fdatasync at a
 * time (how the store worked before group commit) and the same store in memory (no disk).
 * Store only (no HTTP, scopes or validation: bench/relay-throughput.ts has the EHR over HTTP).
 * Run: npx tsx bench/sandbox-writes.ts [--quick]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Communication } from '@medplum/fhirtypes';
import { DataFolder } from '../sandbox/store/dataFolder';
import { SandboxRepository } from '../sandbox/store/SandboxRepository';
import { SerialQueue } from '../sandbox/store/serialQueue';
import { writeFigures, type Figure } from './figures';

const QUICK = process.argv.includes('--quick');
const UPDATES = QUICK ? 600 : 3_000;
const WRITERS = 16;

type Mode = 'memory' | 'group commit' | 'one sync at a time';

/** Versioned updates per second in `mode`, and how many writes each fdatasync carried. */
async function measure(mode: Mode): Promise<{ perSecond: number; writesPerSync?: number }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'charttext-bench-writes-'));
  const folder = mode === 'memory' ? undefined : (await DataFolder.open(dir)).folder;
  const store = new SandboxRepository(folder ? { durability: folder } : {});
  try {
    const resources: Communication[] = [];
    for (let i = 0; i < WRITERS; i++) {
      resources.push(
        await store.createResource<Communication>({
          resourceType: 'Communication',
          status: 'preparation',
          payload: [{ contentString: `Writer ${i}` }],
        }),
      );
    }
    const syncsBefore = folder?.syncCount() ?? 0;
    // Before group commit the store held its one queue during each sync: one write and its sync at a time.
    const oneAtATime = new SerialQueue();
    const write = (communication: Communication, i: number): Promise<Communication> => {
      const update = (): Promise<Communication> =>
        store.updateResource<Communication>(
          { ...communication, status: i % 2 === 0 ? 'in-progress' : 'preparation' },
          { ifMatch: communication.meta?.versionId },
        );
      return mode === 'one sync at a time' ? oneAtATime.run(update) : update();
    };
    const started = performance.now();
    await Promise.all(
      resources.map(async (first) => {
        let current = first;
        for (let i = 0; i < UPDATES / WRITERS; i++) current = await write(current, i);
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const syncs = (folder?.syncCount() ?? 0) - syncsBefore;
    return { perSecond: UPDATES / seconds, ...(folder ? { writesPerSync: UPDATES / Math.max(syncs, 1) } : {}) };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  await measure('group commit'); // warm up (JIT, file system)
  const serial = await measure('one sync at a time');
  const grouped = await measure('group commit');
  const memory = await measure('memory');
  const figures: Figure[] = [
    {
      id: 'sandbox.durable-writes',
      area: 'sandbox',
      name: `Sandbox EHR store: durable versioned updates, ${WRITERS} writers, group commit`,
      value: grouped.perSecond,
      unit: '/s',
      baseline: { name: 'one write and its fdatasync at a time (before ADR 090)', value: serial.perSecond, unit: '/s' },
      note: `${grouped.writesPerSync?.toFixed(1) ?? '?'} writes per fdatasync; ${UPDATES} updates`,
    },
    {
      id: 'sandbox.durable-vs-memory',
      area: 'sandbox',
      name: 'Sandbox EHR store: durable (group commit) against in memory',
      value: grouped.perSecond,
      unit: '/s',
      baseline: { name: 'same store in memory, no disk', value: memory.perSecond, unit: '/s' },
    },
  ];
  console.log(`Sandbox EHR store, ${UPDATES} versioned updates by ${WRITERS} writers`);
  console.log(
    `  durable, group commit:       ${grouped.perSecond.toFixed(0)}/s (${grouped.writesPerSync?.toFixed(1)} writes per fdatasync)`,
  );
  console.log(`  durable, one sync at a time: ${serial.perSecond.toFixed(0)}/s`);
  console.log(`  in memory:                   ${memory.perSecond.toFixed(0)}/s`);
  writeFigures(figures);
}

await main();
