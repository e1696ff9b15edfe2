/**
 * Opening the clinician thread in a real Chromium against the sandbox (EHR launch, real auth and FHIR servers), each
 * figure beside a baseline measured in the same run:
 *   - first paint of a 10,000-message thread vs a 50-message thread (goal ≤ 1.2×), and DOM nodes (goal ≤ 300);
 *   - launch-to-thread-painted vs a bare fhirclient page doing ready() and one search (goal ≤ 1.3×);
 *   - FHIR requests to open a thread, until painted with its composer ready (goal ≤ 3), and bytes of an idle poll:
 *     one made once nothing has changed for the poll's look-back time (goal < 1 KB).
 * Not a test: figures vary by machine. Run: npx tsx bench/thread-open.ts  (builds dist/web first: npx vite build)
 */
import react from '@vitejs/plugin-react';
import type { Communication, Patient } from '@medplum/fhirtypes';
import express from 'express';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page, Response } from 'playwright-core';
import { build } from 'vite';
import { threadKey } from '../fhir-profiles/threadKey';
import { CODES, CONCEPTS, EXTENSIONS, IDENTIFIER_SYSTEMS, PROFILES } from '../fhir-profiles/vocabulary';
import { APP_CONFIG } from '../client/config';
import { buildScope } from '../launch/scopes';
import { createSandbox, type Sandbox } from '../sandbox/app';
import { PRACTICE } from '../sandbox/seed/roster';
import { launchBrowser } from '../test/support/browser';

const REPO = path.resolve(import.meta.dirname, '..');
const DIST = path.join(REPO, 'dist', 'web');
// Odd, so the median is a run; enough that one slow moment on a busy machine does not move it.
const RUNS = 15;
const LONG = 10_000;
const SHORT = 50;
/** BENCH_CHROME_TRACE=<dir>: write a Chromium performance trace of the last run's ChartText and baseline opens there. */
const TRACE_DIR = process.env.BENCH_CHROME_TRACE;
const TRACE_CATEGORIES = [
  'devtools.timeline',
  'disabled-by-default-devtools.timeline',
  'v8.execute',
  'disabled-by-default-v8.cpu_profiler',
  'blink.user_timing',
  'loading',
  'netlog',
  'toplevel',
];

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** A patient with a mobile number and a thread of `size` alternating messages, one a minute, ending now. */
function benchThread(patientId: string, size: number): (Patient | Communication)[] {
  const patient: Patient = {
    resourceType: 'Patient',
    id: patientId,
    name: [{ given: ['Bench'], family: `Thread ${size}` }],
    birthDate: '1980-01-01',
    telecom: [{ system: 'phone', use: 'mobile', value: '+12015550177' }],
  };
  const headerId = `thread-${patientId}`;
  const header: Communication = {
    resourceType: 'Communication',
    id: headerId,
    meta: { profile: [PROFILES.threadHeader] },
    identifier: [{ system: IDENTIFIER_SYSTEMS.thread, value: threadKey(`Patient/${patientId}`, PRACTICE.smsNumber) }],
    status: 'in-progress',
    category: [CONCEPTS.kind(CODES.communicationKind.threadHeader)],
    medium: [CONCEPTS.smsMedium],
    subject: { reference: `Patient/${patientId}` },
    topic: { text: 'Text messages' },
  };
  const end = Date.now() - 60_000;
  const messages = Array.from({ length: size }, (_, i): Communication => {
    const inbound = i % 2 === 0;
    const sent = new Date(end - (size - 1 - i) * 60_000).toISOString();
    return {
      resourceType: 'Communication',
      id: `${patientId}-${i}`,
      status: 'completed',
      category: [
        CONCEPTS.kind(CODES.communicationKind.message),
        CONCEPTS.direction(inbound ? CODES.direction.inbound : CODES.direction.outbound),
      ],
      medium: [CONCEPTS.smsMedium],
      subject: { reference: `Patient/${patientId}` },
      sender: { reference: inbound ? `Patient/${patientId}` : 'Practitioner/dr-lee' },
      recipient: [{ reference: inbound ? `Organization/${PRACTICE.organizationId}` : `Patient/${patientId}` }],
      partOf: [{ reference: `Communication/${headerId}` }],
      sent,
      payload: [{ contentString: `Message ${i + 1}: your appointment is on Tuesday at 9:30. Reply C to confirm.` }],
      // Read already, so opening the thread writes nothing.
      ...(inbound ? { extension: [{ url: EXTENSIONS.readAt, valueDateTime: sent }] } : {}),
    };
  });
  return [patient, header, ...messages];
}

/** Builds the baseline pages: a launch page that authorizes and a redirect page doing ready() and one search. */
async function buildBaseline(outDir: string, scope: string): Promise<void> {
  const root = mkdtempSync(path.join(REPO, 'node_modules', '.charttext-bench-'));
  try {
    for (const page of ['launch', 'client']) {
      const dir = path.join(root, page);
      mkdirSync(dir, { recursive: true });
      writeFileSync(
        path.join(dir, 'index.html'),
        `<!doctype html><html lang="en"><body><div id="root"></div><script type="module" src="./main.tsx"></script></body></html>`,
      );
    }
    writeFileSync(
      path.join(root, 'launch', 'main.tsx'),
      `import FHIR from 'fhirclient';
const p = new URLSearchParams(location.search);
FHIR.oauth2.authorize({ iss: p.get('iss')!, launch: p.get('launch')!, clientId: 'charttext', scope: ${JSON.stringify(scope)},
  redirectUri: location.origin + '/client/', pkceMode: 'required', completeInTarget: true });`,
    );
    writeFileSync(
      path.join(root, 'client', 'main.tsx'),
      `import FHIR from 'fhirclient';
import { createRoot } from 'react-dom/client';
const root = createRoot(document.getElementById('root')!);
FHIR.oauth2.ready()
  .then((c) => c.request('Communication?subject=Patient/' + c.patient.id + '&_sort=-sent&_count=50'))
  .then((b) => root.render(<p className="msg">{(b.entry ?? []).length} messages</p>));`,
    );
    await build({
      root,
      configFile: false,
      logLevel: 'warn',
      plugins: [react()],
      resolve: { alias: { fhirclient: 'fhirclient/lib/entry/browser.js' } },
      build: {
        outDir,
        emptyOutDir: true,
        rollupOptions: { input: { launch: `${root}/launch/index.html`, client: `${root}/client/index.html` } },
      },
    });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

interface Phases {
  /** Launch page opened → redirect page navigation started (authorize round trip). */
  launch: number;
  /** Redirect page start → token response end. */
  token: number;
  /** Token end → first page response end. */
  firstPage: number;
  /** First page response end → first message painted. */
  render: number;
}

const PHASES = ['launch', 'token', 'firstPage', 'render'] as const;

interface OpenResult {
  phases: Phases;
  /** From opening the launch URL to the first message painted (ms). */
  launchToThread: number;
  /** From the redirect page's navigation start to the first message painted (ms). */
  firstPaint: number;
  domNodes: number;
  domNodesAfterScroll: number;
  /** FHIR requests until the thread is open: messages painted and the composer ready (ChartText) or painted (baseline). */
  fhirRequestsToOpen: number;
  /** FHIR requests the page started before the frame that first showed a message. */
  fhirRequestsToPaint: number;
  /** Scripts the client page fetched before that frame (uncompressed bytes). */
  scriptsToPaint: { file: string; bytes: number }[];
  idlePollBytes?: number;
  /** The first poll after opening (it looks back over the last seconds before the cursor). */
  firstPollBytes?: number;
}

async function open(
  browser: Browser,
  sandbox: Sandbox,
  appUrl: string,
  patientId: string,
  options: { measureIdle: boolean; scroll: boolean; composer: boolean; traceTo?: string },
): Promise<OpenResult> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
  const page: Page = await context.newPage();
  // Records, in the page, the wall-clock time of the first frame that shows a message (no polling delay).
  await page.addInitScript(() => {
    new MutationObserver((_records, observer) => {
      if (!document.querySelector('.msg')) return;
      observer.disconnect();
      requestAnimationFrame(() => {
        (window as unknown as { paintedAt: number }).paintedAt = performance.timeOrigin + performance.now();
      });
    }).observe(document, { childList: true, subtree: true });
  });
  const fhirRequests: string[] = [];
  let opened = false;
  page.on('request', (request) => {
    if (request.url().startsWith(sandbox.fhirBaseUrl) && !request.url().includes('.well-known') && !opened) {
      fhirRequests.push(`${request.method()} ${request.url().slice(sandbox.fhirBaseUrl.length)}`);
    }
  });
  const trace: string[] = [];
  const t0 = performance.now();
  if (process.env.BENCH_TRACE) {
    page.on('request', (r) =>
      trace.push(`${(performance.now() - t0).toFixed(0)} > ${r.method()} ${r.url().slice(0, 90)}`),
    );
    page.on('requestfinished', (r) => trace.push(`${(performance.now() - t0).toFixed(0)} < ${r.url().slice(0, 90)}`));
  }
  const launch = sandbox.auth.createLaunch({ user: 'dr-lee', patient: patientId, needPatientBanner: false });
  const url = `${appUrl}/launch/?iss=${encodeURIComponent(sandbox.fhirBaseUrl)}&launch=${launch}`;
  if (options.traceTo)
    await browser.startTracing(page, { path: options.traceTo, screenshots: false, categories: TRACE_CATEGORIES });
  const started = Date.now();
  await page.goto(url);
  await page.locator('.msg').first().waitFor({ timeout: 60_000 });
  const paintedAt = await page.waitForFunction(() => (window as unknown as { paintedAt?: number }).paintedAt);
  const paintedEpoch = (await paintedAt.jsonValue()) as number;
  const launchToThread = paintedEpoch - started;
  if (options.traceTo) await browser.stopTracing();
  if (process.env.BENCH_TRACE)
    console.log(`${patientId}\n  ${trace.join('\n  ')}\n  ${(performance.now() - t0).toFixed(0)} painted`);
  // Open = the messages painted and the composer able to say where a text goes (or why it cannot be sent).
  if (options.composer) await page.locator('.composer__to, .composer__blocked').first().waitFor({ timeout: 60_000 });
  opened = true;
  const clientOrigin = await page.evaluate(() => performance.timeOrigin);
  const firstPaint = paintedEpoch - clientOrigin;
  const { tokenEnd, pageEnd, fhirRequestsToPaint, scriptsToPaint } = await page.evaluate(
    ([fhirBase, paintedFromStart]) => {
      const entries = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
      const token = entries.find((e) => e.name.includes('/auth/token'));
      const first = entries.find((e) => e.name.includes('/fhir/Communication?') && e.name.includes('sort=-sent'));
      const beforePaint = entries.filter((e) => e.startTime < paintedFromStart);
      return {
        tokenEnd: token?.responseEnd ?? 0,
        pageEnd: first?.responseEnd ?? 0,
        fhirRequestsToPaint: beforePaint.filter((e) => e.name.startsWith(fhirBase) && !e.name.includes('.well-known'))
          .length,
        // A preloaded module can have two entries (the preload, then the import from the memory cache).
        scriptsToPaint: [
          ...beforePaint
            .filter((e) => new URL(e.name).pathname.endsWith('.js'))
            .reduce((files, e) => {
              const file = new URL(e.name).pathname.split('/').pop() ?? '';
              return files.set(file, Math.max(files.get(file) ?? 0, e.decodedBodySize));
            }, new Map<string, number>()),
        ].map(([file, bytes]) => ({ file, bytes })),
      };
    },
    [sandbox.fhirBaseUrl, firstPaint] as const,
  );
  const phases: Phases = {
    launch: clientOrigin - started,
    token: tokenEnd,
    firstPage: pageEnd - tokenEnd,
    render: firstPaint - pageEnd,
  };
  if (process.env.BENCH_TRACE) {
    const entries = await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
      const list = performance
        .getEntriesByType('resource')
        .map((entry) => entry as PerformanceResourceTiming)
        .map((e) => `${e.startTime.toFixed(0)}-${e.responseEnd.toFixed(0)} ${e.name.slice(0, 80)}`);
      return [`html ${nav.responseEnd.toFixed(0)} domInteractive ${nav.domInteractive.toFixed(0)}`, ...list];
    });
    console.log(
      `${patientId} (client page, ms from its start; painted ${firstPaint.toFixed(0)})\n  ${entries.join('\n  ')}`,
    );
  }
  const domNodes = await page.evaluate(() => document.querySelectorAll('*').length);
  let domNodesAfterScroll = domNodes;
  if (options.scroll) {
    for (let i = 0; i < 3; i++) {
      await page.evaluate(() => document.querySelector('.thread')?.scrollTo({ top: 0 }));
      await page.waitForTimeout(600);
    }
    domNodesAfterScroll = await page.evaluate(() => document.querySelectorAll('*').length);
  }
  let idlePollBytes: number | undefined;
  let firstPollBytes: number | undefined;
  if (options.measureIdle) {
    const poll = (): Promise<Response> =>
      page.waitForResponse((r) => r.url().includes('_lastUpdated=gt'), { timeout: 10_000 });
    firstPollBytes = (await (await poll()).body()).length;
    // For this long after the cursor last moved, polls look behind it on purpose (useLiveThread.ts); idle is after.
    await page.waitForTimeout(APP_CONFIG.pollOverlapMs);
    const response = await poll();
    const next = await poll();
    idlePollBytes = Math.min((await response.body()).length, (await next.body()).length);
    if (process.env.BENCH_VERBOSE)
      console.log('idle poll:', (await next.body()).toString(), '\nrequests:', fhirRequests);
  }
  // Stop the page's polling; contexts stay open (closing one can end @sparticuz/chromium's single-process browser).
  await page.goto('about:blank');
  return {
    phases,
    launchToThread,
    firstPaint,
    domNodes,
    domNodesAfterScroll,
    fhirRequestsToOpen: fhirRequests.length,
    fhirRequestsToPaint,
    scriptsToPaint,
    ...(idlePollBytes !== undefined ? { idlePollBytes } : {}),
    ...(firstPollBytes !== undefined ? { firstPollBytes } : {}),
  };
}

async function main(): Promise<void> {
  if (!existsSync(path.join(DIST, 'client', 'index.html'))) throw new Error('Build the app first: npx vite build');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'charttext-thread-bench-'));
  const baselineDir = mkdtempSync(path.join(tmpdir(), 'charttext-thread-baseline-'));
  const sandboxServer = createServer();
  const appServer = createServer();
  const sandboxUrl = await listen(sandboxServer);
  const appUrl = await listen(appServer);
  const sandbox = await createSandbox({ publicUrl: sandboxUrl, appUrl, dataDir });
  sandboxServer.on('request', sandbox.app);
  const servePages = { app: express.static(DIST), baseline: express.static(baselineDir) };
  let pages: keyof typeof servePages = 'app';
  const app = express();
  app.use((req, res, next) => servePages[pages](req, res, next));
  appServer.on('request', app);
  let browser: Browser | undefined;
  try {
    const seeded = performance.now();
    await sandbox.store.withTransaction(async () => {
      for (const resource of [...benchThread('bench-long', LONG), ...benchThread('bench-short', SHORT)]) {
        await sandbox.store.updateResource(resource);
      }
    });
    console.log(`Seeded ${LONG + SHORT} messages in ${((performance.now() - seeded) / 1000).toFixed(1)} s`);
    await buildBaseline(baselineDir, buildScope('chart', 'v2', true));
    browser = await launchBrowser();

    // Warm up both pages (browser caches, code caches, server JIT), then alternate runs.
    const quick = { measureIdle: false, scroll: false };
    pages = 'baseline';
    await open(browser, sandbox, appUrl, 'bench-short', { ...quick, composer: false });
    pages = 'app';
    await open(browser, sandbox, appUrl, 'bench-short', { ...quick, composer: true });
    const long: OpenResult[] = [];
    const short: OpenResult[] = [];
    const baseline: OpenResult[] = [];
    for (let run = 0; run < RUNS; run++) {
      const traceTo = (name: string): { traceTo?: string } =>
        TRACE_DIR && run === RUNS - 1 ? { traceTo: path.join(TRACE_DIR, `${name}.json`) } : {};
      pages = 'app';
      long.push(
        await open(browser, sandbox, appUrl, 'bench-long', {
          measureIdle: run === 0,
          scroll: run === 0,
          composer: true,
          ...traceTo('charttext'),
        }),
      );
      short.push(await open(browser, sandbox, appUrl, 'bench-short', { ...quick, composer: true }));
      pages = 'baseline';
      baseline.push(
        await open(browser, sandbox, appUrl, 'bench-long', { ...quick, composer: false, ...traceTo('baseline') }),
      );
    }

    const firstLong = median(long.map((r) => r.firstPaint));
    const firstShort = median(short.map((r) => r.firstPaint));
    const launchLong = median(long.map((r) => r.launchToThread));
    const launchBaseline = median(baseline.map((r) => r.launchToThread));
    if (process.env.BENCH_VERBOSE) {
      const row = (r: OpenResult): string =>
        `${r.launchToThread.toFixed(0)} (${PHASES.map((k) => r.phases[k].toFixed(0)).join('/')})`;
      console.log('runs, launch-to-thread ms (launch/token/firstPage/render):');
      long.forEach((r, i) => console.log(`  ChartText ${row(r)}  baseline ${baseline[i] ? row(baseline[i]) : ''}`));
    }
    const phases = (results: OpenResult[]): string =>
      PHASES.map((k) => `${k} ${median(results.map((r) => r.phases[k])).toFixed(0)}`).join(', ');
    const [first] = long;
    const ms = (v: number): string => `${v.toFixed(0)} ms`;
    console.log(`\nClinician thread in Chromium, median of ${RUNS} runs each`);
    console.log(
      `  first paint, ${LONG.toLocaleString()} messages: ${ms(firstLong)}  vs ${SHORT} messages: ${ms(firstShort)}  ` +
        `ratio ${(firstLong / firstShort).toFixed(2)}×  (goal ≤ 1.2×)`,
    );
    console.log(
      `  DOM nodes, ${LONG.toLocaleString()}-message thread: ${first?.domNodes ?? 0} at open, ` +
        `${first?.domNodesAfterScroll ?? 0} after loading 3 older pages  (goal ≤ 300)`,
    );
    console.log(
      `  launch to thread painted: ${ms(launchLong)}  vs bare fhirclient ready() + one search: ${ms(launchBaseline)}  ` +
        `ratio ${(launchLong / launchBaseline).toFixed(2)}×  (goal ≤ 1.3×)`,
    );
    console.log(`    where the time goes (median ms): ChartText ${phases(long)}; baseline ${phases(baseline)}`);
    console.log(
      `  FHIR requests to open a thread (messages painted, composer ready): ${first?.fhirRequestsToOpen ?? 0}  (goal ≤ 3)`,
    );
    console.log(`  FHIR requests before the thread painted: ${first?.fhirRequestsToPaint ?? 0}`);
    const scripts = first?.scriptsToPaint ?? [];
    console.log(
      `  scripts the client page fetched before the thread painted: ` +
        // The launch page's shared chunk comes from the browser's cache, which reports no body size.
        `${scripts.map((s) => `${s.file} ${s.bytes > 0 ? `${(s.bytes / 1024).toFixed(1)} KB` : '(cached)'}`).join(', ')}`,
    );
    console.log(
      `  idle poll response body: ${first?.idlePollBytes ?? 0} bytes  (goal < 1,024; ` +
        `first poll after opening, which looks ${APP_CONFIG.pollOverlapMs / 1000} s behind the newest change: ` +
        `${first?.firstPollBytes ?? 0} bytes)`,
    );
  } finally {
    await browser?.close();
    appServer.closeAllConnections();
    sandboxServer.closeAllConnections();
    await new Promise((resolve) => appServer.close(resolve));
    await new Promise((resolve) => sandboxServer.close(resolve));
    await sandbox.close();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(baselineDir, { recursive: true, force: true });
  }
}

await main();
