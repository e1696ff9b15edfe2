import { expect, test } from 'vitest';
import type { Figure } from './figures';
import { renderReport, type RunInfo } from './writeReport';

const run: RunInfo = {
  startedAt: new Date('2026-11-30T10:00:00Z'),
  seconds: 240,
  commit: 'abc123def456',
  dirty: [],
  cpu: 'AMD EPYC',
  cores: 2,
  memoryGiB: 24,
  node: 'v20.20.2',
  platform: 'linux',
  loadAtStart: [1.5, 1.2, 1],
  loadAtEnd: [1.7, 1.3, 1.1],
  quick: false,
  scripts: [{ label: 'thread', file: 'bench/thread-open.ts', args: [], seconds: 60, outcome: 'ok', load: 1.2 }],
};

const figures: Figure[] = [
  {
    id: 'thread.first-paint',
    area: 'thread',
    name: 'First paint of a 10,000-message thread',
    value: 360,
    unit: 'ms',
    baseline: { name: 'a 50-message thread', value: 300, unit: 'ms' },
    goal: { op: '≤', value: 1.2, of: 'ratio' },
  },
  {
    id: 'relay.drain-live.durable',
    area: 'relay',
    name: 'Outbound drain',
    unit: '/s',
    goal: { op: '≥', value: 300, of: 'value' },
  },
  { id: 'front-desk.inbox', area: 'front-desk', name: 'Inbox first page', unit: 'ms', notBuiltYet: true },
];

test('when figures are rendered, then each shows value, same-run baseline, ratio, goal and result', () => {
  const report = renderReport(figures, run);
  expect(report).toContain(
    '| First paint of a 10,000-message thread | 360 ms | 300 ms (a 50-message thread) | 1.20× | ratio ≤ 1.2× | ✅ met |',
  );
  expect(report).toContain('| Outbound drain | — | — | — | ≥ 300/s | ⚠️ missing |');
  expect(report).toContain('| Inbox first page | not built yet |');
  expect(report).toContain('**1 of 2 figures with a goal meet it.**');
  expect(report).toMatch(/AMD EPYC, 2 cores, 24 GiB memory/);
  expect(report).toMatch(/at start 1\.50, 1\.20, 1\.00/);
  expect(report).toContain('`abc123def456`');
});
