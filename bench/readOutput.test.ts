import { describe, expect, test } from 'vitest';
import { ratioOf, verdictOf, type Figure } from './figures';
import { readFhirSearch, readRelayThroughput, readThreadBundle, readThreadOpen } from './readOutput';

const THREAD_OPEN = `Seeded 10050 messages in 4.2 s

Clinician thread in Chromium, median of 9 runs each
  first paint, 10,000 messages: 512 ms  vs 50 messages: 480 ms  ratio 1.07×  (goal ≤ 1.2×)
  DOM nodes, 10,000-message thread: 182 at open, 231 after loading 3 older pages  (goal ≤ 300)
  launch to thread painted: 910 ms  vs bare fhirclient ready() + one search: 800 ms  ratio 1.14×  (goal ≤ 1.3×)
    where the time goes (median ms): ChartText launch 120, token 200, firstPage 90, render 40; baseline launch 110
  FHIR requests to open a thread (messages painted, composer ready): 3  (goal ≤ 3)
  FHIR requests before the thread painted: 1
  idle poll response body: 312 bytes  (goal < 1,024)
`;

const RELAY = `Relay throughput — EHR durable (fdatasync per write); relay and sandbox in two processes on 2 CPU(s)

figure                                                           value          baseline (same run)                          goal
inbound: relay time per message (median, sequential)             9.6 ms         FHIR calls 8.3 ms
inbound: relay time ÷ FHIR time (median webhook)                1.15×          relay 9.43 ms, FHIR 8.20 ms                  ≤ 1.2×
inbound: relay's own time per message (median, sequential)       1.21 ms
inbound: FHIR round trips per message (max / median)             3 / 2                                                       ≤ 3
inbound: throughput (500 webhooks, 16 at once)                   95/s
inbound: relay time p95 under load                               216.9 ms       FHIR 215.1 ms
baseline: Twilio creates alone (1000, 16 at once)                570/s
baseline: EHR versioned updates alone (1000)                     231/s
outbound: drain into the simulator, callbacks live (1000 sent, 1000 at Twilio) 37/s           bound 116/s (EHR ÷ 2 writes, Twilio)         ≥ 300/s
outbound: drain into the simulator, callbacks held (1000 sent, 1000 at Twilio) 96/s           bound 116/s (EHR ÷ 2 writes, Twilio)         ≥ 300/s
outbound: relay alone, in-process EHR (1000 sent, 1000 at Twilio) 322/s          Twilio alone 570/s                           ≥ 300/s
`;

const FHIR_SEARCH = `Sandbox FHIR search: pages of 50; median of 30 runs; wall ms (CPU ms)

case                                              10000 msgs          50 msgs   ratio
HTTP: GET first page                              1.90 (1.70)       1.50 (1.40)     1.3
HTTP: GET last page                               2.10 (1.90)       1.50 (1.40)     1.4
HTTP: write a reply, then GET first page          3.20 (2.90)       2.80 (2.60)     1.1
`;

const byId = (figures: Figure[]): Record<string, Figure> => Object.fromEntries(figures.map((f) => [f.id, f]));

describe('reading what the bench scripts print', () => {
  test('when the thread bench prints its summary, then every issue 3 figure has its value and baseline', () => {
    const figures = byId(readThreadOpen(THREAD_OPEN));
    expect(figures['thread.first-paint']).toMatchObject({ value: 512, baseline: { value: 480 } });
    expect(figures['thread.dom-nodes']?.value).toBe(231);
    expect(figures['thread.launch-to-thread']).toMatchObject({ value: 910, baseline: { value: 800 } });
    expect(figures['thread.fhir-requests']?.value).toBe(3);
    expect(figures['thread.idle-poll-bytes']?.value).toBe(312);
    expect(Object.values(figures).map(verdictOf)).toEqual(['pass', 'pass', 'pass', 'pass', 'pass']);
  });

  test('when the bundle bench prints sizes, then the ratio is checked against 1.6×', () => {
    const [figure] = readThreadBundle(
      'Initial JS of the client page (gzip -9)\n  ChartText client:            130.0 KB  (a.js 1 B)\n' +
        '  baseline React + fhirclient: 80.0 KB\n  ratio: 1.63×   goal ≤ 1.6×   NOT met\n  loaded later (import()): 9.1 KB\n',
    );
    expect(figure && ratioOf(figure)).toBeCloseTo(1.625);
    expect(figure && verdictOf(figure)).toBe('fail');
  });

  test('when the relay bench prints its table, then inbound, drain and baselines are read', () => {
    const figures = byId(readRelayThroughput(RELAY, 'durable'));
    const inbound = figures['relay.inbound-time.durable'] as Figure;
    expect(inbound).toMatchObject({ value: 9.43, baseline: { value: 8.2 } });
    expect(ratioOf(inbound)).toBeCloseTo(1.15, 2);
    expect(inbound.note).toContain('medians of all 100: relay 9.6 ms, FHIR 8.3 ms');
    expect(verdictOf(inbound)).toBe('pass');
    expect(figures['relay.inbound-round-trips.durable']?.value).toBe(3);
    expect(figures['relay.inbound-throughput.durable']?.value).toBe(95);
    expect(figures['relay.drain-live.durable']).toMatchObject({ value: 37, baseline: { value: 116 } });
    expect(figures['relay.drain-held.durable']?.value).toBe(96);
    expect(figures['relay.drain-alone']).toMatchObject({ value: 322, baseline: { value: 570 } });
    expect(figures['relay.ehr-writes.durable']?.value).toBe(231);
    expect(verdictOf(figures['relay.drain-live.durable'] as Figure)).toBe('fail');
  });

  test('when the paging bench prints its table, then the 10,000- and 50-message pages are read', () => {
    const figures = byId(readFhirSearch(FHIR_SEARCH));
    expect(figures['sandbox.page-first']).toMatchObject({ value: 1.9, baseline: { value: 1.5 } });
    expect(figures['sandbox.page-after-write']).toMatchObject({ value: 3.2, baseline: { value: 2.8 } });
  });

  test('when a line is missing from the output, then its figure has no value and reads as missing', () => {
    const figures = byId(readThreadOpen(THREAD_OPEN.replace(/idle poll.*\n/, '')));
    expect(figures['thread.idle-poll-bytes']?.value).toBeUndefined();
    expect(verdictOf(figures['thread.idle-poll-bytes'] as Figure)).toBe('missing');
  });
});

describe('verdicts', () => {
  test.each<[Figure['goal'], number, number | undefined, ReturnType<typeof verdictOf>]>([
    [{ op: '≤', value: 1.2, of: 'ratio' }, 120, 100, 'pass'],
    [{ op: '≤', value: 1.2, of: 'ratio' }, 121, 100, 'fail'],
    [{ op: '≥', value: 300, of: 'value' }, 299, undefined, 'fail'],
    [{ op: '<', value: 1024, of: 'value' }, 1024, undefined, 'fail'],
    [undefined, 5, undefined, 'info'],
  ])('goal %j, value %d, baseline %s → %s', (goal, value, baseline, expected) => {
    const figure: Figure = {
      id: 'x',
      area: 'relay',
      name: 'x',
      value,
      unit: 'ms',
      ...(goal ? { goal } : {}),
      ...(baseline === undefined ? {} : { baseline: { name: 'b', value: baseline, unit: 'ms' } }),
    };
    expect(verdictOf(figure)).toBe(expected);
  });
});
