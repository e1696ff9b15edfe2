/**
 * Opening the practice inbox in a real Chromium against the sandbox (EHR launch of the inbox entry as the front desk,
 * real auth and FHIR servers, the built pages on their own origin), with 5,000 open threads against a baseline of 50
 * in the same run, the two alternating:
 *   - time from the client page's start to the first page painted (tab counts, 25 rows, each row's latest message);
 *     goal ≤ 1.2× the 50-thread inbox;
 *   - FHIR requests until then: one batch of counts, one page of Tasks with includes, one batch of latest messages,
 *     however many threads wait; goal: no more than with 50.
 * docs/decisions/074-inbox-first-page-bench.md. Not a test: figures vary by machine.
 * Run: npx tsx bench/inbox-open.ts [--quick] [--threads 5000] [--screenshot docs/images/inbox.png]  (after npx vite build)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { startStack, type Stack } from '../scripts/stack';
import { launchBrowser } from '../test/support/browser';
import { writeFigures, type Figure } from './figures';
import { countFhirRequests, markFirstPaint, median, requireBuiltWeb, waitForFirstPaint } from './measureOpen';
import { waitingInbox } from './waitingInbox';

const argv = process.argv.slice(2);
const QUICK = argv.includes('--quick');
const SCREENSHOT = argv.includes('--screenshot') ? argv[argv.indexOf('--screenshot') + 1] : undefined;
const RUNS = QUICK ? 3 : 25;
/** `--threads <n>` sizes the large inbox (a null run: `--threads 50`). */
const LARGE = argv.includes('--threads') ? Number(argv[argv.indexOf('--threads') + 1]) : QUICK ? 1_000 : 5_000;
const SMALL = 50;
/** The inbox's page size (client/inbox/inboxQueries.ts INBOX_PAGE_SIZE). */
const PAGE_ROWS = 25;
const TIME_GOAL = 1.2;

interface BenchInbox {
  stack: Stack;
  threads: number;
  dataDir: string;
}

async function startInbox(threads: number): Promise<BenchInbox> {
  const dataDir = mkdtempSync(path.join(tmpdir(), `charttext-inbox-bench-${threads}-`));
  const stack = await startStack({ dataDir, web: 'dist', startRelay: false, relayEnv: { LOG_LEVEL: 'silent' } });
  const started = performance.now();
  await stack.sandbox.store.withTransaction(async () => {
    for (const resource of waitingInbox(threads, Date.now())) await stack.sandbox.store.updateResource(resource);
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`Seeded ${threads.toLocaleString('en-US')} waiting threads in ${seconds} s`);
  return { stack, threads, dataDir };
}

interface Opened {
  /** Client page start → counts, rows and their latest messages painted (ms). */
  firstPage: number;
  /** Launch URL opened → the same paint (ms), SMART launch and token exchange included. */
  fromLaunch: number;
  fhirRequests: string[];
  /** Duration of each FHIR request, in the order sent (ms). */
  requestMs: number[];
  rows: number;
  needsResponse: number;
}

/** The first page painted: every tab has its count, rows are there and none waits for its latest message. */
const FIRST_PAGE = {
  present: ['.inbox-row', '[role="tab"][aria-selected="true"] .tab__count:not([data-count=""])'],
  absent: ['.inbox-row__loading', '[role="tab"] .tab__count[data-count=""]'],
};

async function openInbox(browser: Browser, inbox: BenchInbox): Promise<Opened> {
  const { sandbox, appUrl } = inbox.stack;
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await markFirstPaint(page, FIRST_PAGE);
  const requests = countFhirRequests(page, sandbox.fhirBaseUrl);
  const launch = sandbox.auth.createLaunch({ user: 'fd-brooks', needPatientBanner: true });
  const url = `${appUrl}/launch/?iss=${encodeURIComponent(sandbox.fhirBaseUrl)}&launch=${launch}&context=inbox`;
  const started = Date.now();
  await page.goto(url);
  const painted = await waitForFirstPaint(page);
  requests.stop();
  // Where the time went: each FHIR request's duration, in the order sent (Resource Timing).
  const phases = await page.evaluate((base) => {
    const entries = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
    return entries.filter((e) => e.name.startsWith(base) && !e.name.includes('/.well-known/')).map((e) => e.duration);
  }, sandbox.fhirBaseUrl);
  if (process.env.BENCH_TRACE) {
    const trace = await page.evaluate(() =>
      (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).map(
        (e) => `${e.startTime.toFixed(0)}-${e.responseEnd.toFixed(0)} ${e.name.slice(0, 70)}`,
      ),
    );
    console.log(`${inbox.threads} painted ${painted.afterPageStart.toFixed(0)}\n  ${trace.join('\n  ')}`);
  }
  const rows = await page.locator('.inbox-row').count();
  const needsResponse = Number(
    await page
      .getByRole('tab', { name: /Needs response/ })
      .locator('.tab__count')
      .getAttribute('data-count'),
  );
  // Stop the inbox's polling; contexts stay open (closing one can end @sparticuz/chromium's single-process browser).
  await page.goto('about:blank');
  return {
    firstPage: painted.afterPageStart,
    fromLaunch: painted.paintedAt - started,
    fhirRequests: requests.urls,
    requestMs: phases,
    rows,
    needsResponse,
  };
}

/**
 * The usual view, for docs/images/inbox.png: the EHR simulator with Jordan Brooks signed in, the practice inbox
 * opened from its menu, the newest waiting thread open beside the list.
 */
async function saveScreenshot(browser: Browser, inbox: BenchInbox, file: string): Promise<void> {
  const page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
  await page.goto(`${inbox.stack.sandboxUrl}/`);
  await page.getByLabel(/Jordan Brooks/).check();
  await page.getByRole('button', { name: 'Open practice inbox' }).click();
  const app = await (
    await page.locator('iframe[title="ChartText"]').elementHandle({ timeout: 15_000 })
  )?.contentFrame();
  if (!app) throw new Error('ChartText frame missing');
  await app.locator('.inbox-row').first().click();
  await app.locator('.inbox-detail .msg').last().waitFor({ timeout: 20_000 });
  await app.locator('.inbox-row__loading').first().waitFor({ state: 'detached' });
  await app
    .getByRole('combobox', { name: /Assigned to/ })
    .locator('option', { hasText: 'Dr.' })
    .first()
    .waitFor({
      state: 'attached',
    });
  await page.waitForTimeout(1_000);
  await page.screenshot({ path: file });
  await page.goto('about:blank');
  console.log(`Screenshot: ${file}`);
}

/** The inbox must show what it holds, or its timing means nothing. */
function check(opened: Opened, inbox: BenchInbox): void {
  if (opened.rows !== PAGE_ROWS || opened.needsResponse < inbox.threads) {
    throw new Error(
      `The ${inbox.threads}-thread inbox showed ${opened.rows} rows and ${opened.needsResponse} needing a response`,
    );
  }
}

async function main(): Promise<void> {
  requireBuiltWeb();
  const large = await startInbox(LARGE);
  const small = await startInbox(SMALL);
  let browser: Browser | undefined;
  try {
    browser = await launchBrowser();
    // Warm up both (browser caches, server JIT, search caches), then alternate.
    // The small inbox first, so the large one's first open pays for cold search caches, not for cold code.
    const coldSmall = await openInbox(browser, small);
    const cold = [await openInbox(browser, large), coldSmall];
    cold.forEach((opened, i) => check(opened, i === 0 ? large : small));
    const big: Opened[] = [];
    const base: Opened[] = [];
    for (let run = 0; run < RUNS; run++) {
      const opened = await openInbox(browser, large);
      check(opened, large);
      big.push(opened);
      base.push(await openInbox(browser, small));
    }
    if (SCREENSHOT) await saveScreenshot(browser, large, SCREENSHOT);

    // The fastest run of each: on the shared 2-core machine runs fall in a fast and a slow group by scheduling alone,
    // so medians of two identical inboxes differed by up to 40 % (ADR 074); the fastest run is the inbox's own cost.
    const time = Math.min(...big.map((r) => r.firstPage));
    const baseTime = Math.min(...base.map((r) => r.firstPage));
    const medians = [median(big.map((r) => r.firstPage)), median(base.map((r) => r.firstPage))] as const;
    const requests = Math.max(...big.map((r) => r.fhirRequests.length));
    const baseRequests = Math.max(...base.map((r) => r.fhirRequests.length));
    const label = LARGE.toLocaleString('en-US');
    const ms = (v: number): string => `${v.toFixed(0)} ms`;
    console.log(`\nPractice inbox in Chromium (front desk), fastest of ${RUNS} alternating runs each`);
    console.log(
      `  client page start to first page painted, ${label} open threads: ${ms(time)}  vs ${SMALL}: ${ms(baseTime)}  ` +
        `ratio ${(time / baseTime).toFixed(2)}×  (goal ≤ ${TIME_GOAL}×)`,
    );
    console.log(`    medians: ${ms(medians[0])} vs ${ms(medians[1])}, ratio ${(medians[0] / medians[1]).toFixed(2)}×`);
    console.log(
      `    runs: ${big.map((r) => ms(r.firstPage)).join(' ')}  vs  ${base.map((r) => ms(r.firstPage)).join(' ')}`,
    );
    console.log(
      `  launch URL to first page painted: ${ms(median(big.map((r) => r.fromLaunch)))}  vs ` +
        `${ms(median(base.map((r) => r.fromLaunch)))}`,
    );
    console.log(
      `  FHIR requests to the first page: ${requests} with ${label}, ${baseRequests} with ${SMALL}  (goal: same)`,
    );
    const each = (results: Opened[]): string =>
      (results[0]?.requestMs ?? []).map((_, i) => ms(median(results.map((r) => r.requestMs[i] ?? 0)))).join(', ');
    console.log(`  FHIR request durations, in order: ${label}: ${each(big)};  ${SMALL}: ${each(base)}`);
    console.log(
      `  first open after seeding (cold search caches): ${ms(cold[0]?.firstPage ?? 0)} vs ${ms(cold[1]?.firstPage ?? 0)}` +
        ` (requests ${each(cold.slice(0, 1))} vs ${each(cold.slice(1))})`,
    );
    for (const request of big[0]?.fhirRequests ?? []) console.log(`    ${decodeURIComponent(request)}`);
    const baseline = (value: number, unit: string): Figure['baseline'] => ({
      name: `an inbox with ${SMALL} open threads`,
      value,
      unit,
    });
    const figures: Figure[] = [
      {
        id: 'front-desk.inbox-first-page-time',
        area: 'front-desk',
        name: `First page of an inbox with ${label} open threads`,
        value: Math.round(time),
        unit: 'ms',
        baseline: baseline(Math.round(baseTime), 'ms'),
        goal: { op: '≤', value: TIME_GOAL, of: 'ratio' },
        note: `client page start to tab counts, ${PAGE_ROWS} rows and their latest messages painted; fastest of ${RUNS} alternating runs each (medians ${Math.round(medians[0])} vs ${Math.round(medians[1])} ms); ADR 074`,
      },
      {
        id: 'front-desk.inbox-first-page-requests',
        area: 'front-desk',
        name: `FHIR requests for the first page of an inbox with ${label} open threads`,
        value: requests,
        unit: 'requests',
        baseline: baseline(baseRequests, 'requests'),
        goal: { op: '≤', value: 1, of: 'ratio' },
        note: 'counts batch + page of Tasks with patients and owners included + latest-messages batch (SMART discovery and token not counted); ADR 074',
      },
    ];
    writeFigures(figures);
  } finally {
    await browser?.close();
    for (const inbox of [large, small]) {
      await inbox.stack.close();
      rmSync(inbox.dataDir, { recursive: true, force: true });
    }
  }
}

await main();
