/**
 * The EHR simulator in a real Chromium: pick a user and a patient, open the chart, and the placeholder app inside it
 * completes a real SMART launch with fhirclient's browser build. Screenshots go to test-results/ehr/.
 */
import { mkdirSync } from 'node:fs';
import type { Browser, Frame, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { launchBrowser } from '../../test/support/browser';
import { startAuthHarness, type AuthHarness } from '../auth/testHarness';
import { createEhrSimulator } from './createEhrSimulator';

const SHOTS = 'test-results/ehr';
let harness: AuthHarness;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  harness = await startAuthHarness({
    mount: (app, _origin, auth) => {
      app.use(createEhrSimulator({ auth, fhirBaseUrl: auth.fhirBaseUrl }));
    },
  });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser.close();
  await harness.close();
});

// A fresh context per test; contexts stay open until the browser closes (closing one can end
// @sparticuz/chromium's single-process browser).
async function newPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.on('pageerror', (error) => {
    throw error;
  });
  return page;
}

/** The placeholder app's frame inside the chart, once its launch has finished. */
async function launchedApp(page: Page): Promise<Frame> {
  const frame = page.frameLocator('iframe[title="ChartText"]');
  await frame.locator('#status.ok, #status.failed').waitFor({ timeout: 15_000 });
  const handle = await page.locator('iframe[title="ChartText"]').elementHandle();
  const content = await handle?.contentFrame();
  if (!content) throw new Error('no app frame');
  return content;
}

async function grantedContext(app: Frame): Promise<Record<string, string>> {
  return app.$$eval('#context dt', (terms) =>
    Object.fromEntries(terms.map((term) => [term.textContent ?? '', term.nextElementSibling?.textContent ?? ''])),
  );
}

describe('EHR simulator in Chromium', () => {
  test('when Dr. Lee opens María García’s chart, then the placeholder app in it is launched with her context', async () => {
    const page = await newPage();
    await page.goto(`${harness.origin}/`);
    await page.screenshot({ path: `${SHOTS}/start.png`, fullPage: true });

    await page.getByLabel('Patient', { exact: true }).selectOption('p0001');
    await page.getByLabel(/Placeholder app/).check();
    await page.getByRole('button', { name: 'Open patient chart' }).click();

    await expect.poll(() => page.locator('.banner .name').textContent(), { timeout: 10_000 }).toBe('García, María');
    const app = await launchedApp(page);
    expect(await app.textContent('#status')).toContain('Launch worked');
    expect(await grantedContext(app)).toMatchObject({
      patient: 'p0001',
      fhirUser: 'Practitioner/dr-lee',
      need_patient_banner: 'false',
      smart_style_url: `${harness.origin}/ehr/smart-style.json`,
      refresh_token: 'issued',
    });
    await page.locator('details.debug summary').click();
    await page.screenshot({ path: `${SHOTS}/chart.png` });
  });

  test('when the front desk opens the inbox in the night theme, then the app gets no patient and the dark style', async () => {
    const page = await newPage();
    await page.goto(`${harness.origin}/`);
    await page.getByLabel(/Jordan Brooks/).check();
    await page.getByLabel(/Placeholder app/).check();
    await page.getByLabel('EHR look').selectOption('night');
    await page.getByRole('button', { name: 'Open practice inbox' }).click();

    const app = await launchedApp(page);
    expect(await grantedContext(app)).toMatchObject({
      patient: '(none)',
      fhirUser: 'Practitioner/fd-brooks',
      need_patient_banner: 'true',
      smart_style_url: `${harness.origin}/ehr/smart-style-night.json`,
    });
    // The app applied the style it was handed: its background is the night theme's.
    await expect
      .poll(() => app.evaluate(() => getComputedStyle(document.body).backgroundColor))
      .toBe('rgb(18, 26, 33)');
    await page.screenshot({ path: `${SHOTS}/inbox-night.png` });
  });

  test('when the placeholder app is opened standalone, then the sandbox sign-in and patient picker lead to a launch', async () => {
    const page = await newPage();
    const url = new URL('/ehr/placeholder-app/', harness.origin);
    url.searchParams.set('iss', harness.fhirBaseUrl);
    url.searchParams.set('standalone', 'patient');
    await page.goto(url.href);

    await page.getByRole('heading', { name: /Sign in to continue/ }).waitFor();
    await page.getByLabel(/Marta Silva/).check();
    await page.getByLabel('Patient').selectOption('p0010');
    await page.screenshot({ path: `${SHOTS}/standalone-sign-in.png`, fullPage: true });
    await page.getByRole('button', { name: 'Continue' }).click();

    await page.locator('#status.ok').waitFor({ timeout: 15_000 });
    const context = await page.$$eval('#context dt', (terms) =>
      Object.fromEntries(terms.map((term) => [term.textContent ?? '', term.nextElementSibling?.textContent ?? ''])),
    );
    expect(context).toMatchObject({
      patient: 'p0010',
      fhirUser: 'Practitioner/np-silva',
      need_patient_banner: 'true',
    });
    await page.screenshot({ path: `${SHOTS}/standalone-launched.png` });
  });
});
