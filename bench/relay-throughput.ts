/**
 * Relay throughput (issue 4): inbound webhooks per second, the relay's time per inbound against the time of the FHIR
 * calls it makes (goal ≤ 1.2×, ≤ 3 round trips), and the outbound drain rate into the phone simulator (goal ≥ 300/s
 * on 2 cores), each beside a baseline measured in the same run: Twilio creates alone, EHR writes alone.
 * Both parts warm up first, untimed: 100 inbound webhooks, and one outbound drain of 200 messages (callbacks live).
 * The relay runs here; the sandbox (EHR + phone simulator) in a child process, so each has a core.
 * Run: npx tsx bench/relay-throughput.ts [--durable] [--messages 1000] [--inbound-only]
 * Not a test: figures vary by machine.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { fork, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { Agent, createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Communication, Patient } from '@medplum/fhirtypes';
import twilio from 'twilio';
import { threadKey } from '../fhir-profiles/threadKey';
import { CODES, CONCEPTS, IDENTIFIER_SYSTEMS } from '../fhir-profiles/vocabulary';
import { PATIENTS, PRACTICE } from '../sandbox/seed/roster';
import { createBackendServicesToken } from '../server/adapters/backendServicesToken';
import { createFhirRestStore } from '../server/adapters/fhirRestStore';
import { createRewritingRequestClient } from '../server/adapters/twilioApiBase';
import { createTwilioGateway } from '../server/adapters/twilioGateway';
import { createApp, type RelayApp } from '../server/app';
import { parseRelayConfig } from '../server/config';
import { createLogger } from '../server/createLogger';
import type { FhirStore } from '../server/relay/fhirStore';
import { identifierQuery, threadHeader } from '../server/relay/fileInbound';
import { toE164 } from '../server/relay/normalisePhone';
import { createMemoryFhirStore } from '../test/integration/relay-support/memoryFhirStore';
import type { ChildReady, ChildRequest } from './relay-support/sandboxChild';

const args = process.argv.slice(2);
const DURABLE = args.includes('--durable');
/** Only the inbound figures (the outbound drain and its baselines are skipped). */
const INBOUND_ONLY = args.includes('--inbound-only');
const MESSAGES = Number(args[args.indexOf('--messages') + 1] ?? 0) || 1000;
const INBOUND = Math.max(200, Math.floor(MESSAGES / 2));
const CONCURRENCY = 16;
/** Messages in the untimed outbound drain before the timed ones. */
const DRAIN_WARM_UP = 200;

/** Omit that keeps a union's members apart. */
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

interface Timing {
  /** Wall time during which at least one of the webhook's FHIR calls was in flight (overlapping calls count once). */
  fhirMs: number;
  calls: number;
  inFlight: number;
  since: number;
}
const newTiming = (): Timing => ({ fhirMs: 0, calls: 0, inFlight: 0, since: 0 });
/** Under load: each webhook's own timing, carried through its awaits. */
const perRequest = new AsyncLocalStorage<Timing>();
/**
 * One webhook at a time: its timing, without AsyncLocalStorage, whose promise hooks (Node 20) would slow every await
 * of the relay and of its FHIR client — a cost production does not pay.
 */
let sequentialTiming: Timing | undefined;

/** A FhirStore that adds each call's wall time to the webhook it serves. */
function timed(store: FhirStore): FhirStore {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]): Promise<unknown> => {
        const timing = perRequest.getStore() ?? sequentialTiming;
        if (timing && timing.inFlight++ === 0) timing.since = performance.now();
        try {
          return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        } finally {
          if (timing) {
            timing.calls++;
            if (--timing.inFlight === 0) timing.fhirMs += performance.now() - timing.since;
          }
        }
      };
    },
  });
}

async function pool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

const rate = (count: number, ms: number): string => `${((count * 1000) / ms).toFixed(0)}/s`;
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const p95 = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length * 0.95)] ?? 0;

const progress = (text: string): void => {
  if (args.includes('--verbose')) console.error(`[${new Date().toISOString()}] ${text}`);
};

async function main(): Promise<void> {
  const key = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ format: 'pem', type: 'pkcs8' });
  const appServer = createServer();
  await new Promise<void>((resolve) => appServer.listen(0, '127.0.0.1', resolve));
  const appUrl = `http://127.0.0.1:${(appServer.address() as AddressInfo).port}`;

  const probe = parseRelayConfig({
    FHIR_BASE_URL: 'http://127.0.0.1:1/fhir',
    RELAY_CLIENT_ID: 'charttext-relay',
    RELAY_PRIVATE_KEY: key.toString(),
    TWILIO_ACCOUNT_SID: `AC${'b'.repeat(32)}`,
    TWILIO_AUTH_TOKEN: 'placeholder-token-000',
    TWILIO_FROM_NUMBER: PRACTICE.smsNumber,
    PUBLIC_BASE_URL: appUrl,
    PRACTICE_ORGANIZATION: `Organization/${PRACTICE.organizationId}`,
  });
  const child: ChildProcess = fork(
    fileURLToPath(new URL('./relay-support/sandboxChild.ts', import.meta.url)),
    [appUrl, JSON.stringify({ keys: [probe.signingKey.publicJwk] }), DURABLE ? 'durable' : 'memory'],
    {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    },
  );
  progress('child spawned');
  process.on('exit', () => child.kill());
  const ready = await new Promise<ChildReady>((resolve) => {
    child.once('message', (message) => resolve(message as ChildReady));
  });
  let nextId = 1;
  const ask = <T>(request: WithoutId<ChildRequest>): Promise<T> =>
    new Promise((resolve) => {
      const id = nextId++;
      const listener = (message: { id?: number; value?: unknown }): void => {
        if (message.id !== id) return;
        child.off('message', listener);
        resolve(message.value as T);
      };
      child.on('message', listener);
      child.send({ ...request, id });
    });

  const config = parseRelayConfig({
    FHIR_BASE_URL: ready.fhirBaseUrl,
    RELAY_CLIENT_ID: 'charttext-relay',
    RELAY_PRIVATE_KEY: key.toString(),
    TWILIO_ACCOUNT_SID: ready.accountSid,
    TWILIO_AUTH_TOKEN: ready.authToken,
    TWILIO_FROM_NUMBER: PRACTICE.smsNumber,
    TWILIO_API_BASE_URL: ready.apiBaseUrl,
    PUBLIC_BASE_URL: appUrl,
    PRACTICE_ORGANIZATION: `Organization/${PRACTICE.organizationId}`,
    SEND_CONCURRENCY: String(CONCURRENCY),
    LOG_LEVEL: 'warn',
  });
  const token = createBackendServicesToken({
    fhirBaseUrl: config.fhirBaseUrl,
    clientId: config.clientId,
    key: config.signingKey,
    scope: config.scopes,
  });
  const rawFhir = createFhirRestStore({ baseUrl: config.fhirBaseUrl, token });
  const sms = createTwilioGateway({ ...config.twilio, apiBaseUrl: ready.apiBaseUrl });
  const relay: RelayApp = createApp({ config, fhir: timed(rawFhir), sms, token, logger: createLogger('warn') });
  const inboundTimes: { relayMs: number; fhirMs: number; calls: number }[] = [];
  let underLoad = false;
  appServer.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.url !== '/twilio/inbound') {
      relay.app(req, res);
      return;
    }
    const timing = newTiming();
    const start = performance.now();
    res.on('finish', () =>
      inboundTimes.push({ relayMs: performance.now() - start, fhirMs: timing.fhirMs, calls: timing.calls }),
    );
    if (underLoad) {
      perRequest.run(timing, () => {
        relay.app(req, res);
      });
      return;
    }
    sequentialTiming = timing;
    relay.app(req, res);
  });
  progress('relay built');
  await token.getToken();

  const rows: string[][] = [];
  const row = (figure: string, value: string, baseline: string, goal: string): void => {
    rows.push([figure, value, baseline, goal]);
  };
  const finish = async (): Promise<void> => {
    const cores = cpus().length;
    console.log(
      `Relay throughput — EHR ${DURABLE ? 'durable (fdatasync per write)' : 'in memory'}; relay and sandbox in two processes on ${cores} CPU(s)\n`,
    );
    const widths = [64, 14, 44, 10];
    const line = (cells: string[]): string => cells.map((cell, i) => cell.padEnd(widths[i] ?? 10)).join(' ');
    console.log(line(['figure', 'value', 'baseline (same run)', 'goal']));
    for (const cells of rows) console.log(line(cells));

    webhookAgent.destroy();
    await relay.stop();
    await ask({ op: 'close' });
    appServer.closeAllConnections();
    appServer.close();
  };

  progress('token ok');
  // --- Inbound ----------------------------------------------------------------------------------------------------
  const senders = PATIENTS.filter((p) => p.phone && p.phoneUse === 'mobile' && p.id !== 'p0005' && p.id !== 'p0006');
  let sidCounter = 0;
  const webhookAgent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const post = async (from: string, body: string): Promise<void> => {
    const sid = `SM${(sidCounter++).toString(16).padStart(32, '0')}`;
    const form = {
      MessageSid: sid,
      AccountSid: ready.accountSid,
      From: from,
      To: PRACTICE.smsNumber,
      Body: body,
      NumMedia: '0',
      NumSegments: '1',
      SmsStatus: 'received',
      ApiVersion: '2010-04-01',
    };
    const url = `${appUrl}/twilio/inbound`;
    const payload = new URLSearchParams(form).toString();
    // Headers and body in one write, as a webhook arrives from Twilio. (fetch streams the body in a later write from
    // this same process: the relay's clock, started at the headers, would run while the bench's own client works.)
    const status = await new Promise<number>((resolve, reject) => {
      const outgoing = httpRequest(
        url,
        {
          method: 'POST',
          agent: webhookAgent,
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            'content-length': String(Buffer.byteLength(payload)),
            'x-twilio-signature': twilio.getExpectedTwilioSignature(ready.authToken, url, form),
          },
        },
        (response) => {
          response.resume();
          response.on('end', () => resolve(response.statusCode ?? 0));
        },
      );
      outgoing.on('error', reject);
      outgoing.end(payload);
    });
    if (status !== 200) throw new Error(`inbound answered ${status}`);
  };
  const inbound = Array.from({ length: INBOUND }, (_, i) => senders[i % senders.length]?.phone ?? '');
  // Latency: one at a time, so the relay's own time is not queueing behind other requests. The first 100 warm up:
  // in a fresh process V8 has not yet compiled the relay's code (nor its FHIR client's) to optimised machine code, so
  // they would measure start-up, not the relay Twilio talks to all day. They count for the round trips (first texts).
  for (const phone of inbound.slice(0, 100)) await post(toE164(phone, 'US') ?? phone, 'Warming up');
  const warmUp = inboundTimes.splice(0);
  for (const phone of inbound.slice(0, 100)) await post(toE164(phone, 'US') ?? phone, 'Can I get a refill?');
  const sequential = inboundTimes.splice(0);
  const everyOne = [...warmUp, ...sequential];
  const relayMs = median(sequential.map((t) => t.relayMs));
  const fhirMs = median(sequential.map((t) => t.fhirMs));
  row(
    'inbound: relay time per message (median, sequential)',
    `${relayMs.toFixed(1)} ms`,
    `FHIR calls ${fhirMs.toFixed(1)} ms`,
    '',
  );
  // The figure (docs/decisions/096): the median webhook by its relay time ÷ the time of its own FHIR calls, printed
  // with that webhook's two times, so value ÷ baseline is the ratio.
  const byRatio = [...sequential].sort((a, b) => a.relayMs / a.fhirMs - b.relayMs / b.fhirMs);
  const middle = byRatio[Math.floor(byRatio.length / 2)] ?? { relayMs: 0, fhirMs: 1 };
  row(
    'inbound: relay time ÷ FHIR time (median webhook)',
    `${(middle.relayMs / middle.fhirMs).toFixed(2)}×`,
    `relay ${middle.relayMs.toFixed(2)} ms, FHIR ${middle.fhirMs.toFixed(2)} ms`,
    '≤ 1.2×',
  );
  row(
    "inbound: relay's own time per message (median, sequential)",
    `${median(sequential.map((t) => t.relayMs - t.fhirMs)).toFixed(2)} ms`,
    '',
    '',
  );
  row(
    'inbound: FHIR round trips per message (max / median)',
    `${Math.max(...everyOne.map((t) => t.calls))} / ${median(everyOne.map((t) => t.calls))}`,
    '',
    '≤ 3',
  );
  progress('sequential inbound done');
  underLoad = true;
  sequentialTiming = undefined;
  const inboundStart = performance.now();
  await pool(inbound, CONCURRENCY, (phone) => post(toE164(phone, 'US') ?? phone, 'Is the clinic open Saturday?'));
  const inboundMs = performance.now() - inboundStart;
  const concurrent = inboundTimes.splice(0);
  row(`inbound: throughput (${INBOUND} webhooks, ${CONCURRENCY} at once)`, rate(INBOUND, inboundMs), '', '');
  row(
    'inbound: relay time p95 under load',
    `${p95(concurrent.map((t) => t.relayMs)).toFixed(1)} ms`,
    `FHIR ${p95(concurrent.map((t) => t.fhirMs)).toFixed(1)} ms`,
    '',
  );

  progress('concurrent inbound done');
  if (INBOUND_ONLY) {
    await finish();
    return;
  }
  // --- Baselines: Twilio alone, EHR alone ---------------------------------------------------------------------------
  const client = twilio(ready.accountSid, ready.authToken, {
    accountSid: ready.accountSid,
    httpClient: createRewritingRequestClient(ready.apiBaseUrl),
  });
  const to = toE164(PATIENTS.find((p) => p.id === 'p0016')?.phone, 'US') ?? '';
  const direct = Array.from({ length: MESSAGES }, (_, i) => i);
  let start = performance.now();
  await pool(direct, CONCURRENCY, async (i) => {
    await client.messages.create({ to, from: PRACTICE.smsNumber, body: `Baseline ${i}` });
  });
  const twilioMs = performance.now() - start;
  progress('twilio baseline done');
  const thread = (
    await rawFhir.create(threadHeader('Patient/p0016', 'Patient/p0016', PRACTICE.smsNumber), {
      ifNoneExist: identifierQuery(IDENTIFIER_SYSTEMS.thread, threadKey('Patient/p0016', PRACTICE.smsNumber)),
    })
  ).resource;
  await ask({
    op: 'pending',
    count: MESSAGES,
    patientId: 'p0016',
    thread: `Communication/${thread.id ?? ''}`,
    prefix: 'Write',
  });
  const writable =
    (await rawFhir.search('Communication', { status: 'preparation', _count: String(MESSAGES) })).entry?.map(
      (e) => e.resource as Communication,
    ) ?? [];
  progress('pending created for EHR baseline');
  start = performance.now();
  await pool(writable, CONCURRENCY, async (communication) => {
    await rawFhir.update(
      { ...communication, status: 'stopped', statusReason: CONCEPTS.stopReason('canceled', 'bench') },
      { ifMatch: communication.meta?.versionId },
    );
  });
  const ehrMs = performance.now() - start;
  const ehrWrites = (writable.length * 1000) / ehrMs;
  row(`baseline: Twilio creates alone (${MESSAGES}, ${CONCURRENCY} at once)`, rate(MESSAGES, twilioMs), '', '');
  row(`baseline: EHR versioned updates alone (${writable.length})`, `${ehrWrites.toFixed(0)}/s`, '', '');

  progress('EHR baseline done');
  // --- Outbound drain -----------------------------------------------------------------------------------------------
  const pending = (count: number, prefix: string): Promise<number> =>
    ask({ op: 'pending', count, patientId: 'p0016', thread: `Communication/${thread.id ?? ''}`, prefix });
  // Warm-up, untimed: the same path (callbacks live) once, so the timed drains measure the relay and the sandbox
  // warm, not V8 compiling their code in fresh processes (a second identical drain ran 1.2–2.6× faster). Like the
  // inbound part's first 100 webhooks. Every one must arrive exactly once, or the timed drain would pick up leftovers.
  await pending(DRAIN_WARM_UP, 'Drain warm-up');
  const warmReport = await relay.drain.request();
  const warmArrived = await ask<number>({ op: 'count', body: 'Drain warm-up' });
  await ask({ op: 'settled' });
  if (warmReport.outcomes.sent !== DRAIN_WARM_UP || warmArrived !== DRAIN_WARM_UP) {
    throw new Error(
      `warm-up drain: ${warmReport.outcomes.sent} sent, ${warmArrived} at Twilio, ${DRAIN_WARM_UP} expected`,
    );
  }
  row(
    `outbound: warm-up drain first, untimed, callbacks live (${warmReport.outcomes.sent} sent, ${warmArrived} at Twilio)`,
    'not timed',
    '',
    '',
  );
  progress('warm-up drain done');
  const drain = async (prefix: string, holdCallbacks: boolean): Promise<void> => {
    await pending(MESSAGES, prefix);
    if (holdCallbacks) await ask({ op: 'pauseCallbacks' });
    const began = performance.now();
    const report = await relay.drain.request();
    const ms = performance.now() - began;
    const arrived = await ask<number>({ op: 'count', body: prefix });
    if (holdCallbacks) await ask({ op: 'resumeCallbacks' });
    await ask({ op: 'settled' });
    const bound = Math.min((MESSAGES * 1000) / twilioMs, ehrWrites / 2);
    row(
      `outbound: drain into the simulator, callbacks ${holdCallbacks ? 'held' : 'live'} (${report.outcomes.sent} sent, ${arrived} at Twilio)`,
      rate(arrived, ms),
      `bound ${bound.toFixed(0)}/s (EHR ÷ 2 writes, Twilio)`,
      '≥ 300/s',
    );
  };
  await drain('Drain live', false);
  await drain('Drain held', true);

  // --- The relay alone: same drain against an in-process EHR (no HTTP, scopes or validation) ------------------------
  progress('relay-alone drain');
  const memory = createMemoryFhirStore();
  await memory.seed<Patient>({
    resourceType: 'Patient',
    id: 'p0016',
    telecom: [{ system: 'phone', use: 'mobile', value: to }],
  });
  const memoryThread = await memory.seed<Communication>(
    threadHeader('Patient/p0016', 'Patient/p0016', PRACTICE.smsNumber),
  );
  for (let i = 0; i < MESSAGES; i++) {
    await memory.seed<Communication>({
      resourceType: 'Communication',
      status: 'preparation',
      category: [CONCEPTS.kind(CODES.communicationKind.message), CONCEPTS.direction(CODES.direction.outbound)],
      medium: [CONCEPTS.smsMedium],
      subject: { reference: 'Patient/p0016' },
      recipient: [{ reference: 'Patient/p0016' }],
      partOf: [{ reference: `Communication/${memoryThread.id ?? ''}` }],
      payload: [{ contentString: `Alone ${i}` }],
    });
  }
  const alone = createApp({ config, fhir: memory, sms, logger: createLogger('warn') });
  await ask({ op: 'pauseCallbacks' });
  const aloneStart = performance.now();
  const aloneReport = await alone.drain.request();
  const aloneMs = performance.now() - aloneStart;
  const aloneArrived = await ask<number>({ op: 'count', body: 'Alone' });
  row(
    `outbound: relay alone, in-process EHR (${aloneReport.outcomes.sent} sent, ${aloneArrived} at Twilio)`,
    rate(aloneArrived, aloneMs),
    `Twilio alone ${rate(MESSAGES, twilioMs)}`,
    '≥ 300/s',
  );
  await alone.stop();

  await finish();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
