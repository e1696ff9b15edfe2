/**
 * The bench scripts `npm run bench` runs, in order, and the figures each must produce. To add one (as
 * bench/inbox-open.ts joined): write `bench/<name>.ts` that measures, prints, and calls
 * `writeFigures(figures)` from bench/figures.ts; add an entry here with `read: 'figures'` and the ids it produces;
 * drop those ids from PLANNED_FIGURES. Each script runs in its own process, bounded by its timeout, on loopback only.
 */
import type { Figure } from './figures';
import { readFhirSearch, readRelayThroughput, readThreadBundle, readThreadOpen } from './readOutput';

export interface BenchScript {
  /** Path from the repository root. */
  file: string;
  /** Extra arguments, and those of a `--quick` smoke run. */
  args: string[];
  quickArgs: string[];
  /** What the runner labels it with (one script may run twice with different arguments). */
  label: string;
  /** Where its figures come from: the JSON file of `writeFigures`, or a reader of what it prints. */
  read: 'figures' | ((output: string) => Figure[]);
  timeoutMs: number;
}

export const BENCH_SCRIPTS: readonly BenchScript[] = [
  {
    file: 'bench/sandbox-writes.ts',
    label: 'sandbox EHR store writes',
    args: [],
    quickArgs: ['--quick'],
    read: 'figures',
    timeoutMs: 180_000,
  },
  {
    file: 'bench/fhir-search.ts',
    label: 'sandbox FHIR paging',
    args: [],
    quickArgs: [],
    read: readFhirSearch,
    timeoutMs: 180_000,
  },
  {
    file: 'bench/relay-throughput.ts',
    label: 'relay, durable sandbox EHR',
    args: ['--durable'],
    quickArgs: ['--durable', '--messages', '300'],
    read: (output) => readRelayThroughput(output, 'durable'),
    timeoutMs: 420_000,
  },
  {
    file: 'bench/relay-throughput.ts',
    label: 'relay, in-memory sandbox EHR',
    args: [],
    quickArgs: ['--messages', '300'],
    read: (output) => readRelayThroughput(output, 'memory'),
    timeoutMs: 420_000,
  },
  {
    file: 'bench/thread-bundle.ts',
    label: 'client bundle',
    args: [],
    quickArgs: [],
    read: readThreadBundle,
    timeoutMs: 300_000,
  },
  {
    file: 'bench/thread-open.ts',
    label: 'thread in Chromium',
    args: [],
    quickArgs: [],
    read: readThreadOpen,
    timeoutMs: 600_000,
  },
  {
    file: 'bench/inbox-open.ts',
    label: 'practice inbox in Chromium',
    args: [],
    quickArgs: ['--quick'],
    read: 'figures',
    timeoutMs: 300_000,
  },
];

/** Figures an issue names whose bench does not exist yet: the report lists them as "not built yet". */
export const PLANNED_FIGURES: readonly Figure[] = [];
