/**
 * The clinician thread end to end in a real Chromium: the EHR simulator launches ChartText in its chart iframe
 * (SMART EHR launch against the sandbox's auth server and FHIR server), the thread shows, a message is sent and
 * lands in the sandbox FHIR store with the right fields, the phone simulator receives it through the relay, and a
 * reply appears in the open thread without reload. Screenshots go to test-results/thread/.
 */
import { parseSearchRequest } from '@medplum/core';
import type { Communication } from '@medplum/fhirtypes';
import axe from 'axe-core';
import { randomUUID } from 'node:crypto';
import type { Frame, Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { CODES, CONCEPTS, IDENTIFIER_SYSTEMS, PROFILES, TOKENS } from '../../fhir-profiles/vocabulary';
import { threadKey } from '../../fhir-profiles/threadKey';
import { PATIENTS, PRACTICE } from '../../sandbox/seed/roster';
import { useBrowserStack } from '../support/browserStack';

const e2e = useBrowserStack('thread');

async function newPage(): Promise<Page> {
  const context = await e2e.browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  page.on('pageerror', (error) => {
    throw error;
  });
  return page;
}

/** Opens `patientId`'s chart as Dr. Lee in the EHR simulator and returns the ChartText frame once the thread is up. */
async function openChart(patientId: string): Promise<{ page: Page; app: Frame }> {
  const page = await newPage();
  await page.goto(`${e2e.stack.sandboxUrl}/`);
  await page.getByLabel('Patient', { exact: true }).selectOption(patientId);
  await page.getByRole('button', { name: 'Open patient chart' }).click();
  const handle = await page.locator('iframe[title="ChartText"]').elementHandle({ timeout: 15_000 });
  const app = await handle?.contentFrame();
  if (!app) throw new Error('ChartText frame missing');
  await app.getByRole('form', { name: 'Write a text message' }).waitFor({ timeout: 20_000 });
  return { page, app };
}

async function seriousAxeViolations(app: Frame): Promise<string[]> {
  await app.evaluate(axe.source);
  const violations = await app.evaluate(async () => {
    const results = await (window as unknown as { axe: typeof axe }).axe.run(document);
    return results.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  return violations;
}

async function messagesWithText(patientId: string, text: string): Promise<Communication[]> {
  const bundle = await e2e.stack.sandbox.store.search<Communication>(
    parseSearchRequest(`Communication?subject=Patient/${patientId}&_sort=-_lastUpdated&_count=20`),
  );
  return (bundle.entry ?? [])
    .map((e) => e.resource as Communication)
    .filter((c) => c.payload?.some((p) => p.contentString === text));
}

describe('clinician thread in the EHR', { timeout: 90_000 }, () => {
  test('when Dr. Lee opens María García’s chart, then her thread shows, and a message sent reaches the EHR and her phone, and her reply appears', async () => {
    const { page, app } = await openChart('p0001');
    const thread = app.getByRole('region', { name: 'Messages', exact: true });
    await thread.locator('.msg').first().waitFor({ timeout: 15_000 });
    expect(await thread.locator('.msg').count()).toBeGreaterThan(3);
    expect(await app.locator('*').count()).toBeLessThan(300);
    await page.screenshot({ path: `${e2e.shots}/chart-thread.png` });

    const text = `Your lab results are back and look normal. (${randomUUID().slice(0, 8)})`;
    await app.getByRole('textbox', { name: 'Message to the patient' }).fill(text);
    await app.getByRole('textbox', { name: 'Message to the patient' }).press('Enter');
    await thread.getByText(text).waitFor();
    await thread
      .locator('.msg', { hasText: text })
      .getByText(/Waiting to send|Sending…|Sent|Delivered/)
      .waitFor();

    const [saved] = await messagesWithText('p0001', text);
    expect(saved).toMatchObject({
      meta: { profile: [PROFILES.outboundMessage] },
      medium: [CONCEPTS.smsMedium],
      subject: { reference: 'Patient/p0001' },
      recipient: [{ reference: 'Patient/p0001' }],
      sender: { reference: 'Practitioner/dr-lee' },
    });
    expect(['preparation', 'in-progress', 'completed']).toContain(saved?.status);
    expect(saved?.category).toEqual(
      expect.arrayContaining([
        CONCEPTS.kind(CODES.communicationKind.message),
        CONCEPTS.direction(CODES.direction.outbound),
      ]),
    );
    expect(saved?.identifier?.some((i) => i.system === IDENTIFIER_SYSTEMS.clientMessageId)).toBe(true);
    const headerId = saved?.partOf?.[0]?.reference?.split('/')[1] ?? '';
    const header = await e2e.stack.sandbox.store.readResource<Communication>('Communication', headerId);
    expect(header.identifier).toContainEqual({
      system: IDENTIFIER_SYSTEMS.thread,
      value: threadKey('Patient/p0001', PRACTICE.smsNumber),
    });
    expect(TOKENS.thread(threadKey('Patient/p0001', PRACTICE.smsNumber))).toContain('|');

    // The relay sends it: the patient's phone gets it and the thread shows it delivered.
    await e2e.stack.sandbox.phone.waitForMessage({ body: text }, { timeoutMs: 15_000 });
    await thread.locator('.msg', { hasText: text }).getByText('Delivered').waitFor({ timeout: 15_000 });

    // She answers from her phone; the reply shows in the open thread without reload.
    const reply = `Thank you! (${randomUUID().slice(0, 8)})`;
    const maria = PATIENTS.find((p) => p.id === 'p0001');
    await e2e.stack.sandbox.phone.sendInbound({ from: maria?.phone ?? '', body: reply });
    await thread.getByText(reply).waitFor({ timeout: 5_000 });
    await app.getByText(`New message from María García: ${reply}`).waitFor();
    await page.screenshot({ path: `${e2e.shots}/chart-sent-and-replied.png` });

    expect(await seriousAxeViolations(app)).toEqual([]);
  });

  test('when the chart of a patient who opted out opens, then the composer is disabled and says why', async () => {
    const { page, app } = await openChart('p0002');
    const composer = app.getByRole('form', { name: 'Write a text message' });
    await composer.getByText(/Texting is off: the patient opted out of texts/).waitFor();
    expect(await app.getByRole('textbox', { name: 'Message to the patient' }).isDisabled()).toBe(true);
    expect(await app.getByRole('button', { name: 'Send' }).isDisabled()).toBe(true);
    await page.screenshot({ path: `${e2e.shots}/chart-opted-out.png` });
    expect(await seriousAxeViolations(app)).toEqual([]);
  });

  test('when a clinician drafts a long message in the night theme, then the composer counts segments in the EHR’s look', async () => {
    const page = await newPage();
    await page.goto(`${e2e.stack.sandboxUrl}/`);
    await page.getByLabel('Patient', { exact: true }).selectOption('p0010');
    await page.getByLabel('EHR look').selectOption('night');
    await page.getByRole('button', { name: 'Open patient chart' }).click();
    const handle = await page.locator('iframe[title="ChartText"]').elementHandle({ timeout: 15_000 });
    const app = await handle?.contentFrame();
    if (!app) throw new Error('ChartText frame missing');
    const box = app.getByRole('textbox', { name: 'Message to the patient' });
    await box.waitFor({ timeout: 20_000 });
    await box.fill(
      'Hi Grace, your blood test results are normal. Dr. Lee would like to see you in 3 months — reply YES to book, or call us.',
    );
    // The em dash forces UCS-2: 70 characters per segment, so 120 characters cost 2 segments.
    await app.getByText('120 / 1,600 characters · 2 SMS segments · UCS-2 (because of “—”)').waitFor();
    // The EHR's night style document arrives on its own request: wait for it to be applied.
    await expect
      .poll(() => app.evaluate(() => getComputedStyle(document.body).backgroundColor), { timeout: 10_000 })
      .toBe('rgb(18, 26, 33)');
    await page.screenshot({ path: `${e2e.shots}/chart-night-composing.png` });
  });

  test('when the front desk opens the inbox, then ChartText opens without a patient', async () => {
    const page = await newPage();
    await page.goto(`${e2e.stack.sandboxUrl}/`);
    await page.getByLabel(/Jordan Brooks/).check();
    await page.getByRole('button', { name: 'Open practice inbox' }).click();
    const handle = await page.locator('iframe[title="ChartText"]').elementHandle({ timeout: 15_000 });
    const app = await handle?.contentFrame();
    if (!app) throw new Error('ChartText frame missing');
    await app.getByRole('heading', { name: 'Practice inbox' }).waitFor({ timeout: 20_000 });
    await page.screenshot({ path: `${e2e.shots}/inbox-placeholder.png` });
  });

  test('when the app page is opened directly, without a launch, then it says to open ChartText from the EHR', async () => {
    const page = await newPage();
    await page.goto(`${e2e.stack.appUrl}/client/`);
    await page.getByRole('heading', { name: 'ChartText could not connect to the EHR' }).waitFor();
    await page.getByText('This page was opened directly, or the launch expired.').waitFor();
    const launchPage = await newPage();
    await launchPage.goto(`${e2e.stack.appUrl}/launch/`);
    await launchPage.getByText(/Open ChartText from your EHR/).waitFor();
  });

  test('when a landline-only patient’s chart opens, then the composer says texts cannot reach the number', async () => {
    const { page, app } = await openChart('p0003');
    await app.getByText(/is not a mobile number/).waitFor();
    expect(await app.getByRole('textbox', { name: 'Message to the patient' }).isDisabled()).toBe(true);
    await page.screenshot({ path: `${e2e.shots}/chart-landline.png` });
  });
});
