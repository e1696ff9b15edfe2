/**
 * Paging a 10,000-message thread vs a 50-message thread on the sandbox FHIR server: prints milliseconds per page
 * (store only, and over HTTP) and the ratio. Not a test: figures vary by machine. Run: npx tsx bench/fhir-search.ts
 */
import { performance } from 'node:perf_hooks';
import type { Bundle, Communication, Resource } from '@medplum/fhirtypes';
import { parseSearchQuery } from '../sandbox/store/parseSearchQuery';
import { buildSeed, SEED_EPOCH } from '../sandbox/seed';
import { startFhirTestServer } from '../sandbox/fhir/startFhirTestServer';

const LONG = 10_000;
const SHORT = 50;
const PAGE = 50;
const RUNS = 30;

function thread(id: string, size: number, start: number): Resource[] {
  const header: Communication = {
    resourceType: 'Communication',
    id,
    status: 'in-progress',
    subject: { reference: 'Patient/p0001' },
  };
  const messages = Array.from({ length: size }, (_, i): Communication => ({
    resourceType: 'Communication',
    id: `${id}-${i}`,
    status: 'completed',
    partOf: [{ reference: `Communication/${id}` }],
    subject: { reference: 'Patient/p0001' },
    sent: new Date(start + i * 60_000).toISOString(),
    payload: [{ contentString: `Message ${i}: your appointment is on Tuesday at 9:30.` }],
    meta: { lastUpdated: new Date(start + i * 60_000 + 500).toISOString() },
  }));
  return [header, ...messages];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** Wall-clock and CPU milliseconds of one run (CPU time is steadier on a busy machine). */
async function time(fn: () => Promise<unknown>): Promise<[number, number]> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  await fn();
  const used = process.cpuUsage(cpu);
  return [performance.now() - start, (used.user + used.system) / 1000];
}

async function main(): Promise<void> {
  const start = Date.parse('2026-06-01T00:00:00Z');
  const seed = [
    ...buildSeed(new Date(SEED_EPOCH)),
    ...thread('bench-long', LONG, start),
    ...thread('bench-short', SHORT, start),
  ];
  const server = await startFhirTestServer({ seed: () => seed });
  const { store } = server;
  try {
    const query = (header: string, offset: number) =>
      parseSearchQuery('Communication', {
        'part-of': `Communication/${header}`,
        _sort: '-sent',
        _count: String(PAGE),
        _offset: String(offset),
      });
    const rows: [string, number[], number[]][] = [];
    const measure = async (label: string, run: (header: string, i: number) => Promise<unknown>): Promise<void> => {
      const wall: number[] = [];
      const cpu: number[] = [];
      for (const header of ['bench-long', 'bench-short']) {
        for (let i = 0; i < 5; i++) await run(header, i); // warm up (JIT)
        const samples: [number, number][] = [];
        for (let i = 0; i < RUNS; i++) samples.push(await time(() => run(header, i)));
        wall.push(median(samples.map((s) => s[0])));
        cpu.push(median(samples.map((s) => s[1])));
      }
      rows.push([label, wall, cpu]);
    };

    const lastOffset = (header: string): number => (header === 'bench-long' ? LONG - PAGE : 0);
    let arrivals = 0;
    /** A reply arrives in the thread being paged (invalidates what a cache would hold). */
    const arrive = (header: string) =>
      store.createResource<Communication>({
        resourceType: 'Communication',
        status: 'completed',
        partOf: [{ reference: `Communication/${header}` }],
        subject: { reference: 'Patient/p0001' },
        sent: new Date(Date.parse('2026-12-01T00:00:00Z') + arrivals++ * 1000).toISOString(),
        payload: [{ contentString: 'Gracias, nos vemos el martes.' }],
      });

    await measure('store: first page (sorted ids cached)', (header) => store.searchQuery(query(header, 0)));
    await measure('store: last page (sorted ids cached)', (header) =>
      store.searchQuery(query(header, lastOffset(header))),
    );
    await measure('store: write a reply, then first page', async (header) => {
      await arrive(header);
      return store.searchQuery(query(header, 0));
    });
    await measure('store: _lastUpdated=gt poll', (header) =>
      store.searchQuery(
        parseSearchQuery('Communication', {
          'part-of': `Communication/${header}`,
          _lastUpdated: 'gt2026-12-01T00:00:00Z',
        }),
      ),
    );
    await measure('HTTP: GET first page', (header) =>
      server.request<Bundle>(`Communication?part-of=Communication/${header}&_sort=-sent&_count=${PAGE}`),
    );
    await measure('HTTP: GET last page', (header) =>
      server.request<Bundle>(
        `Communication?part-of=Communication/${header}&_sort=-sent&_count=${PAGE}&_offset=${lastOffset(header)}`,
      ),
    );
    await measure('HTTP: write a reply, then GET first page', async (header) => {
      await arrive(header);
      return server.request<Bundle>(`Communication?part-of=Communication/${header}&_sort=-sent&_count=${PAGE}`);
    });
    await measure('store: uncached query (filter + sort), first page', (header, i) =>
      // A lower bound far in the past matches everything but makes each query new to the cache.
      store.searchQuery(
        parseSearchQuery('Communication', {
          'part-of': `Communication/${header}`,
          _lastUpdated: `gt2000-01-01T00:00:${String(i % 60).padStart(2, '0')}Z`,
          _sort: '-sent',
          _count: String(PAGE),
        }),
      ),
    );

    console.log(`Sandbox FHIR search: pages of ${PAGE}; median of ${RUNS} runs; wall ms (CPU ms)\n`);
    const cell = (wall: number, cpu: number): string => `${wall.toFixed(2)} (${cpu.toFixed(2)})`.padStart(18);
    console.log(
      `${'case'.padEnd(44)}${`${LONG} msgs`.padStart(18)}${`${SHORT} msgs`.padStart(18)}${'ratio'.padStart(8)}`,
    );
    for (const [label, wall, cpu] of rows) {
      const [longWall = 0, shortWall = 0] = wall;
      const [longCpu = 0, shortCpu = 0] = cpu;
      const ratio = shortWall > 0 ? (longWall / shortWall).toFixed(1) : '-';
      console.log(`${label.padEnd(44)}${cell(longWall, longCpu)}${cell(shortWall, shortCpu)}${ratio.padStart(8)}`);
    }
  } finally {
    await server.dispose();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
