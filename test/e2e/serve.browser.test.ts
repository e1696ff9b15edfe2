/**
 * The production origin (`npm run serve`'s composition, server/createServedApp) in a real Chromium whose web
 * security is on (test/support/browser.ts): the built app launches inside the sandbox EHR simulator's chart, which is
 * the one configured EHR origin, with no Content-Security-Policy violation; a page on any other origin cannot frame it.
 * Screenshots go to test-results/serve/.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { launchBrowser } from '../support/browser';
import { startServedStack, type ServedStack } from '../support/servedStack';

const SHOTS = 'test-results/serve';
let dataDir: string;
let stack: ServedStack;
let browser: Browser;
let stranger: Server;
let strangerUrl: string;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  dataDir = mkdtempSync(path.join(tmpdir(), 'charttext-serve-e2e-'));
  stack = await startServedStack({ dataDir, startRelay: true });
  // A third origin, not in EHR_ORIGINS, whose page tries to show ChartText in an iframe.
  stranger = createServer((_req, res) => {
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(
      `<!doctype html><title>Not the EHR</title><h1>Someone else’s page</h1>` +
        `<iframe title="ChartText" src="${stack.appUrl}/launch/?iss=${encodeURIComponent(stack.sandbox.fhirBaseUrl)}"></iframe>`,
    );
  });
  await new Promise<void>((resolve) => stranger.listen(0, '127.0.0.1', resolve));
  strangerUrl = `http://127.0.0.1:${(stranger.address() as AddressInfo).port}`;
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  stranger?.closeAllConnections();
  await new Promise((resolve) => stranger?.close(resolve));
  await stack?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** A fresh page that records console messages (CSP violations are reported there) and fails on page errors. */
async function newPage(): Promise<{ page: Page; console: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  const console: string[] = [];
  page.on('console', (message) => console.push(message.text()));
  page.on('pageerror', (error) => {
    throw error;
  });
  return { page, console };
}

describe('the built app served by npm run serve', { timeout: 90_000 }, () => {
  test('when Dr. Lee opens a chart in the EHR simulator, then the app launches in the frame under the CSP', async () => {
    const { page, console } = await newPage();
    const launchCsp: string[] = [];
    page.on('response', (response) => {
      if (new URL(response.url()).pathname === '/launch/') {
        launchCsp.push(response.headers()['content-security-policy'] ?? '');
      }
    });
    await page.goto(`${stack.sandboxUrl}/`);
    await page.getByLabel('Patient', { exact: true }).selectOption('p0001');
    await page.getByRole('button', { name: 'Open patient chart' }).click();

    const handle = await page.locator('iframe[title="ChartText"]').elementHandle({ timeout: 15_000 });
    const app = await handle?.contentFrame();
    if (!app) throw new Error('ChartText frame missing');
    await app.getByRole('form', { name: 'Write a text message' }).waitFor({ timeout: 20_000 });
    expect(new URL(app.url()).origin).toBe(stack.appUrl);
    await expect
      .poll(() => app.getByRole('heading', { name: /Text messages with/ }).textContent(), { timeout: 15_000 })
      .toContain('García');
    // The EHR's style document was fetched from the sandbox origin, which connect-src allows.
    await expect
      .poll(() => app.evaluate(() => document.documentElement.dataset.ehrStyle), { timeout: 15_000 })
      .toBe('applied');

    expect(launchCsp).toHaveLength(1);
    expect(launchCsp[0]).toContain(`frame-ancestors ${stack.sandboxUrl}`);
    expect(console.filter((text) => /Content Security Policy|Refused to/i.test(text))).toEqual([]);
    await page.screenshot({ path: `${SHOTS}/chart-launched.png` });
  });

  test('when a page on another origin frames the app, then Chromium blocks the frame for frame-ancestors', async () => {
    const { page, console } = await newPage();
    const requested: string[] = [];
    page.on('request', (request) => requested.push(request.url()));
    await page.goto(`${strangerUrl}/`);
    await expect.poll(() => console.some((text) => /frame-ancestors/.test(text)), { timeout: 10_000 }).toBe(true);
    const framed = page.frames().find((frame) => frame !== page.mainFrame());
    // The blocked frame never becomes ChartText: no launch page, no script of ours ran in it.
    const contents = framed ? await framed.evaluate(() => document.body?.innerText ?? '').catch(() => '') : '';
    expect(contents).not.toContain('Connecting to your EHR');
    expect(framed?.url() ?? '').not.toBe(
      `${stack.appUrl}/launch/?iss=${encodeURIComponent(stack.sandbox.fhirBaseUrl)}`,
    );
    expect(console.find((text) => /frame-ancestors/.test(text))).toContain(stack.sandboxUrl);
    // The launch document arrived but was never rendered: none of its scripts or styles were fetched.
    expect(requested).toContain(`${stack.appUrl}/launch/?iss=${encodeURIComponent(stack.sandbox.fhirBaseUrl)}`);
    expect(requested.filter((url) => url.startsWith(`${stack.appUrl}/assets/`))).toEqual([]);
    await page.screenshot({ path: `${SHOTS}/stranger-blocked.png` });
  });
});
