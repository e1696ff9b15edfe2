/**
 * Figures read from what the older bench scripts print (they predate bench/figures.ts): one reader per script, so
 * those scripts stay untouched. A line the reader cannot find leaves its figure without a value, and the report says
 * "missing" instead of guessing. New scripts should call `writeFigures` instead.
 */
import type { Figure } from './figures';

const num = (text: string | undefined): number | undefined => {
  if (text === undefined) return undefined;
  const value = Number(text.replace(/,/g, ''));
  return Number.isFinite(value) ? value : undefined;
};

/** A figure with `value` only when it was found. */
function figure(base: Omit<Figure, 'value'>, value: number | undefined): Figure {
  return value === undefined
    ? { ...base, note: `${base.note ? `${base.note}; ` : ''}not found in the output` }
    : { ...base, value };
}

/** bench/thread-bundle.ts: initial JS gzip against a minimal React + fhirclient page. */
export function readThreadBundle(output: string): Figure[] {
  const app = num(/ChartText client:\s+([\d.,]+) KB/.exec(output)?.[1]);
  const baseline = num(/baseline React \+ fhirclient:\s+([\d.,]+) KB/.exec(output)?.[1]);
  const lazy = /loaded later \(import\(\)\):\s+([\d.,]+ KB)/.exec(output)?.[1];
  return [
    figure(
      {
        id: 'thread.initial-js',
        area: 'thread',
        name: 'Initial JavaScript of the client page (gzip)',
        unit: 'KB',
        ...(baseline !== undefined
          ? { baseline: { name: 'minimal React + fhirclient page, same build', value: baseline, unit: 'KB' } }
          : {}),
        goal: { op: '≤', value: 1.6, of: 'ratio' },
        ...(lazy ? { note: `${lazy} more loaded later with import()` } : {}),
      },
      app,
    ),
  ];
}

/** bench/thread-open.ts: the thread in Chromium through the sandbox's EHR launch. */
export function readThreadOpen(output: string): Figure[] {
  const paint = /first paint, [\d,. ]+ messages: ([\d.]+) ms\s+vs ([\d,]+) messages: ([\d.]+) ms/.exec(output);
  const nodes = /DOM nodes, [\d,. ]+-message thread: (\d+) at open, (\d+) after loading (\d+) older pages/.exec(output);
  const launch = /launch to thread painted: ([\d.]+) ms\s+vs bare fhirclient ready\(\) \+ one search: ([\d.]+) ms/.exec(
    output,
  );
  const phases = /where the time goes \(median ms\): (.*)$/m.exec(output)?.[1];
  const requests = num(/FHIR requests to open a thread \(messages painted, composer ready\): (\d+)/.exec(output)?.[1]);
  const poll = num(/idle poll response body: ([\d,]+) bytes/.exec(output)?.[1]);
  const runs = /median of (\d+) runs/.exec(output)?.[1];
  const atOpen = num(nodes?.[1]);
  const afterScroll = num(nodes?.[2]);
  return [
    figure(
      {
        id: 'thread.first-paint',
        area: 'thread',
        name: 'First paint of a 10,000-message thread',
        unit: 'ms',
        ...(paint
          ? { baseline: { name: `a ${paint[2] ?? '50'}-message thread`, value: num(paint[3]) ?? 0, unit: 'ms' } }
          : {}),
        goal: { op: '≤', value: 1.2, of: 'ratio' },
        note: `median of ${runs ?? '?'} runs in Chromium, from the redirect page's start`,
      },
      num(paint?.[1]),
    ),
    figure(
      {
        id: 'thread.dom-nodes',
        area: 'thread',
        name: 'DOM nodes of the 10,000-message thread (most of: at open, after 3 older pages)',
        unit: 'nodes',
        goal: { op: '≤', value: 300, of: 'value' },
        note: `${atOpen ?? '?'} at open, ${afterScroll ?? '?'} after loading ${nodes?.[3] ?? '3'} older pages`,
      },
      atOpen === undefined || afterScroll === undefined ? undefined : Math.max(atOpen, afterScroll),
    ),
    figure(
      {
        id: 'thread.launch-to-thread',
        area: 'thread',
        name: 'EHR launch to thread painted',
        unit: 'ms',
        ...(launch
          ? {
              baseline: {
                name: 'bare fhirclient page: ready() and one search',
                value: num(launch[2]) ?? 0,
                unit: 'ms',
              },
            }
          : {}),
        goal: { op: '≤', value: 1.3, of: 'ratio' },
        ...(phases ? { note: `phases (median ms): ${phases}` } : {}),
      },
      num(launch?.[1]),
    ),
    figure(
      {
        id: 'thread.fhir-requests',
        area: 'thread',
        name: 'FHIR requests to open a thread (messages painted, composer ready)',
        unit: 'requests',
        goal: { op: '≤', value: 3, of: 'value' },
      },
      requests,
    ),
    figure(
      {
        id: 'thread.idle-poll-bytes',
        area: 'thread',
        name: 'Response body of an idle poll',
        unit: 'bytes',
        goal: { op: '<', value: 1024, of: 'value' },
      },
      poll,
    ),
  ];
}

/** One table row of bench/relay-throughput.ts: the text after its label, or undefined. */
function relayRow(output: string, label: RegExp): string | undefined {
  const line = output.split('\n').find((candidate) => label.test(candidate));
  return line?.replace(label, '');
}

/** bench/relay-throughput.ts (one EHR mode per run): `mode` names it in ids and labels. */
export function readRelayThroughput(output: string, mode: 'memory' | 'durable'): Figure[] {
  const ehr = mode === 'durable' ? 'durable sandbox EHR' : 'in-memory sandbox EHR';
  const timing = relayRow(output, /^inbound: relay time per message \(median, sequential\)/);
  const relayMs = num(/^\s*([\d.]+) ms/.exec(timing ?? '')?.[1]);
  const fhirMs = num(/FHIR calls ([\d.]+) ms/.exec(timing ?? '')?.[1]);
  // The figure is one webhook, the median one by its own ratio: its relay time against its FHIR calls' time (ADR 096).
  const middle = /^\s*[\d.]+×\s+relay ([\d.]+) ms, FHIR ([\d.]+) ms/.exec(
    relayRow(output, /^inbound: relay time ÷ FHIR time \(median webhook\)/) ?? '',
  );
  const middleFhirMs = num(middle?.[2]);
  const ownMs = num(/^\s*([\d.]+) ms/.exec(relayRow(output, /^inbound: relay's own time per message/) ?? '')?.[1]);
  const trips = /^\s*(\d+) \/ (\d+)/.exec(
    relayRow(output, /^inbound: FHIR round trips per message \(max \/ median\)/) ?? '',
  );
  const throughputLine = output.split('\n').find((line) => line.startsWith('inbound: throughput'));
  const throughput = /\)\s+(\d+)\/s/.exec(throughputLine ?? '');
  const throughputLabel = /inbound: throughput \(([^)]*)\)/.exec(throughputLine ?? '')?.[1];
  const p95 = /^\s*([\d.]+) ms\s+FHIR ([\d.]+) ms/.exec(relayRow(output, /^inbound: relay time p95 under load/) ?? '');
  const twilioAlone = num(
    /^\s*(\d+)\/s/.exec(relayRow(output, /^baseline: Twilio creates alone \([^)]*\)/) ?? '')?.[1],
  );
  const ehrWrites = num(
    /^\s*(\d+)\/s/.exec(relayRow(output, /^baseline: EHR versioned updates alone \([^)]*\)/) ?? '')?.[1],
  );
  const drain = (kind: RegExp): { rate?: number; bound?: number; counts?: string } => {
    const line = output.split('\n').find((candidate) => kind.test(candidate)) ?? '';
    const match = /\(([^)]*at Twilio)\)\s+(\d+)\/s\s+(?:bound (\d+)\/s)?/.exec(line);
    return { rate: num(match?.[2]), bound: num(match?.[3]), counts: match?.[1] };
  };
  const live = drain(/^outbound: drain into the simulator, callbacks live/);
  const held = drain(/^outbound: drain into the simulator, callbacks held/);
  const alone = drain(/^outbound: relay alone, in-process EHR/);
  const bound = (value: number | undefined): Figure['baseline'] | undefined =>
    value === undefined
      ? undefined
      : { name: 'bound: EHR writes ÷ 2, or Twilio alone, whichever is lower', value, unit: '/s' };
  const withBaseline = (baseline: Figure['baseline'] | undefined): Pick<Figure, 'baseline'> =>
    baseline ? { baseline } : {};
  return [
    figure(
      {
        id: `relay.inbound-time.${mode}`,
        area: 'relay',
        name: `Inbound: relay time per message against the FHIR calls it makes (${ehr})`,
        unit: 'ms',
        ...withBaseline(
          middleFhirMs === undefined
            ? undefined
            : { name: 'time of its FHIR calls, same webhook', value: middleFhirMs, unit: 'ms' },
        ),
        goal: { op: '≤', value: 1.2, of: 'ratio' },
        note:
          'the median of 100 sequential webhooks (after 100 to warm up) by relay time ÷ own FHIR time' +
          (relayMs !== undefined && fhirMs !== undefined
            ? `; medians of all 100: relay ${relayMs} ms, FHIR ${fhirMs} ms`
            : '') +
          (ownMs === undefined ? '' : `, relay's own time ${ownMs} ms`),
      },
      num(middle?.[1]),
    ),
    figure(
      {
        id: `relay.inbound-round-trips.${mode}`,
        area: 'relay',
        name: `Inbound: FHIR round trips per message, most (${ehr})`,
        unit: 'round trips',
        goal: { op: '≤', value: 3, of: 'value' },
        note: `median ${trips?.[2] ?? '?'} (every text that needs a reply moves or reopens its Task: ADR 052)`,
      },
      num(trips?.[1]),
    ),
    figure(
      {
        id: `relay.inbound-throughput.${mode}`,
        area: 'relay',
        name: `Inbound throughput (${ehr})`,
        unit: '/s',
        note: `${throughputLabel ?? ''}; p95 relay ${p95?.[1] ?? '?'} ms vs FHIR ${p95?.[2] ?? '?'} ms under load`,
      },
      num(throughput?.[1]),
    ),
    figure(
      {
        id: `relay.drain-live.${mode}`,
        area: 'relay',
        name: `Outbound drain into the phone simulator, status callbacks live (${ehr})`,
        unit: '/s',
        ...withBaseline(bound(live.bound)),
        goal: { op: '≥', value: 300, of: 'value' },
        ...(live.counts ? { note: live.counts } : {}),
      },
      live.rate,
    ),
    figure(
      {
        id: `relay.drain-held.${mode}`,
        area: 'relay',
        name: `Outbound drain, status callbacks held back (${ehr})`,
        unit: '/s',
        ...withBaseline(bound(held.bound)),
        goal: { op: '≥', value: 300, of: 'value' },
        ...(held.counts ? { note: held.counts } : {}),
      },
      held.rate,
    ),
    figure(
      {
        id: `relay.ehr-writes.${mode}`,
        area: 'relay',
        name: `EHR versioned updates over HTTP, alone (${ehr})`,
        unit: '/s',
        note: 'the baseline the drain is bound by: each message needs 2 versioned writes',
      },
      ehrWrites,
    ),
    // The relay alone does not depend on the sandbox's mode: reported once, from the durable run.
    ...(mode === 'durable'
      ? [
          figure(
            {
              id: 'relay.drain-alone',
              area: 'relay',
              name: 'Outbound drain, the relay alone (in-process EHR, no HTTP or validation)',
              unit: '/s',
              ...withBaseline(
                twilioAlone === undefined
                  ? undefined
                  : { name: 'Twilio creates alone (simulator)', value: twilioAlone, unit: '/s' },
              ),
              goal: { op: '≥', value: 300, of: 'value' },
            },
            alone.rate,
          ),
        ]
      : []),
  ];
}

/** bench/fhir-search.ts: paging a 10,000-message thread against a 50-message one on the sandbox FHIR server. */
export function readFhirSearch(output: string): Figure[] {
  const row = (label: string): { long?: number; short?: number } => {
    const line = output.split('\n').find((candidate) => candidate.startsWith(label)) ?? '';
    const cells = [...line.slice(label.length).matchAll(/([\d.]+) \(([\d.]+)\)/g)];
    return { long: num(cells[0]?.[1]), short: num(cells[1]?.[1]) };
  };
  const page = (id: string, label: string, name: string): Figure => {
    const { long, short } = row(label);
    return figure(
      {
        id,
        area: 'sandbox',
        name,
        unit: 'ms',
        ...(short === undefined ? {} : { baseline: { name: 'same on a 50-message thread', value: short, unit: 'ms' } }),
        note: 'median of 30 runs',
      },
      long,
    );
  };
  return [
    page('sandbox.page-first', 'HTTP: GET first page', 'Sandbox FHIR: first page of a 10,000-message thread (HTTP)'),
    page('sandbox.page-last', 'HTTP: GET last page', 'Sandbox FHIR: last page of a 10,000-message thread (HTTP)'),
    page(
      'sandbox.page-after-write',
      'HTTP: write a reply, then GET first page',
      'Sandbox FHIR: a reply arrives, then the first page (HTTP)',
    ),
  ];
}
