/**
 * The front desk end to end in a real Chromium: the EHR simulator launches ChartText's inbox entry (SMART EHR launch
 * without a patient, against the sandbox's auth and FHIR servers, relay running). A front-desk user sees the
 * needs-response count, opens a thread, answers with a template (the Task completes, the counts follow), assigns a
 * thread to a clinician (it shows under the clinician's "Assigned to me"), and links a text sent from an unknown
 * number in the phone simulator to a patient (it then shows in her thread). Axe runs on each screen; screenshots go
 * to test-results/inbox/.
 */
import { parseSearchRequest } from '@medplum/core';
import type { Communication, Patient, Task } from '@medplum/fhirtypes';
import axe from 'axe-core';
import { randomUUID } from 'node:crypto';
import type { Frame, Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { CODES, CODE_SYSTEMS, codeFrom, PROFILES, TOKENS } from '../../fhir-profiles/vocabulary';
import { useBrowserStack } from '../support/browserStack';

const e2e = useBrowserStack('inbox');

/** Opens the practice inbox in the EHR simulator as `user` (a label of the sign-in list) and returns its frame. */
async function openInbox(user: RegExp): Promise<{ page: Page; app: Frame }> {
  const context = await e2e.browser.newContext({ viewport: { width: 1360, height: 900 } });
  const page = await context.newPage();
  page.on('pageerror', (error) => {
    throw error;
  });
  await page.goto(`${e2e.stack.sandboxUrl}/`);
  await page.getByLabel(user).check();
  await page.getByRole('button', { name: 'Open practice inbox' }).click();
  const handle = await page.locator('iframe[title="ChartText"]').elementHandle({ timeout: 15_000 });
  const app = await handle?.contentFrame();
  if (!app) throw new Error('ChartText frame missing');
  await app.getByRole('heading', { name: 'Practice inbox' }).waitFor({ timeout: 30_000 });
  return { page, app };
}

/** The number on a tab, once it has one. */
async function countOf(app: Frame, tab: RegExp): Promise<number> {
  const count = app.getByRole('tab', { name: tab }).locator('.tab__count');
  await expect.poll(async () => count.getAttribute('data-count'), { timeout: 10_000 }).not.toBe('');
  return Number(await count.getAttribute('data-count'));
}

function row(app: Frame, text: string) {
  return app.getByRole('tabpanel').getByRole('button', { name: new RegExp(text) });
}

async function seriousAxeViolations(app: Frame): Promise<string[]> {
  await app.evaluate(axe.source);
  return app.evaluate(async () => {
    const results = await (window as unknown as { axe: typeof axe }).axe.run(document);
    return results.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
}

async function openTasks(code: string): Promise<Task[]> {
  const bundle = await e2e.stack.sandbox.store.search<Task>(
    parseSearchRequest(`Task?code=${encodeURIComponent(code)}&status=requested&_count=100`),
  );
  return (bundle.entry ?? []).map((e) => e.resource as Task);
}

// A real browser against the whole stack on a shared 2-core machine: generous bounds, so load cannot fail a correct run.
describe('the front desk in the EHR', { timeout: 90_000 }, () => {
  test('when Jordan Brooks answers a waiting patient with a template, then the Task completes and the counts follow', async () => {
    const { page, app } = await openInbox(/Jordan Brooks/);
    const waiting = (await openTasks(TOKENS.needsResponse)).length;
    expect(await countOf(app, /Needs response/)).toBe(waiting);
    await row(app, 'David Nguyen').first().waitFor();
    await app.locator('.inbox-row__snippet').first().filter({ hasNotText: 'Loading' }).waitFor();
    await page.screenshot({ path: `${e2e.shots}/inbox-needs-response.png` });
    expect(await seriousAxeViolations(app)).toEqual([]);

    await row(app, 'David Nguyen').click();
    const thread = app.getByRole('region', { name: 'Messages', exact: true });
    await thread.locator('.msg').first().waitFor({ timeout: 15_000 });
    await app.getByRole('button', { name: 'Templates' }).click();
    await app.getByRole('option', { name: /Please call us/ }).click();
    const box = app.getByRole('textbox', { name: 'Message to the patient' });
    await expect.poll(() => box.inputValue(), { timeout: 10_000 }).toContain('Riverside Family Medicine');
    expect(await box.inputValue()).toContain('David');
    await page.screenshot({ path: `${e2e.shots}/inbox-thread-template.png` });
    const text = await box.inputValue();
    await app.getByRole('button', { name: 'Send' }).click();
    await thread.getByText(text).waitFor();

    await expect
      .poll(async () => (await openTasks(TOKENS.needsResponse)).some((t) => t.for?.reference === 'Patient/p0011'))
      .toBe(false);
    const answered = await e2e.stack.sandbox.store.readResource<Task>('Task', 'needs-response-p0011');
    expect(answered.status).toBe('completed');
    expect(codeFrom(answered.businessStatus, CODE_SYSTEMS.taskBusinessStatus)).toBe(CODES.taskBusinessStatus.answered);
    await expect.poll(() => countOf(app, /Needs response/), { timeout: 10_000 }).toBe(waiting - 1);
    await e2e.stack.sandbox.phone.waitForMessage({ body: text }, { timeoutMs: 15_000 });
    expect(await seriousAxeViolations(app)).toEqual([]);
  });

  test('when a thread is assigned to Dr. Lee, then it shows under her "Assigned to me"', async () => {
    const { app } = await openInbox(/Jordan Brooks/);
    await row(app, 'Linda Park').click();
    const select = app.getByRole('combobox', { name: /Assigned to/ });
    await select.locator('option', { hasText: 'Dr. Dana Lee' }).waitFor({ state: 'attached' });
    await select.selectOption({ label: 'Dr. Dana Lee (Clinician)' });
    await expect
      .poll(
        async () => (await e2e.stack.sandbox.store.readResource<Task>('Task', 'needs-response-p0016')).owner?.reference,
      )
      .toBe('Practitioner/dr-lee');

    const lee = await openInbox(/Dana Lee/);
    const mine = await countOf(lee.app, /Assigned to me/);
    expect(mine).toBeGreaterThanOrEqual(1);
    await lee.app.getByRole('tab', { name: /Assigned to me/ }).click();
    await row(lee.app, 'Linda Park').waitFor();
    await lee.page.screenshot({ path: `${e2e.shots}/inbox-assigned-to-me.png` });
  });

  test('when a text comes from an unknown number, then it shows under unknown numbers, is linked to Grace Kim, and files in her thread', async () => {
    const { page, app } = await openInbox(/Jordan Brooks/);
    const body = `Hi, this is Grace Kim, I have a new phone (${randomUUID().slice(0, 6)})`;
    const result = await e2e.stack.sandbox.phone.sendInbound({ from: '+12015550188', body });
    expect(result.webhook?.ok).toBe(true);
    await app.getByRole('tab', { name: /Unknown numbers/ }).click();
    await row(app, 'new phone').waitFor({ timeout: 20_000 });
    await row(app, 'new phone').click();
    const pane = app.getByRole('region', { name: /Text from \(201\) 555-0188/ });
    await pane.getByText(/No patient or family member in the EHR has this number/).waitFor();
    await pane.getByRole('searchbox', { name: 'Name, birth date or phone' }).fill('Kim');
    await pane.getByRole('button', { name: 'Search' }).click();
    await pane.getByRole('radio', { name: /Grace Kim/ }).check();
    await pane.getByRole('checkbox', { name: /Also add \(201\) 555-0188 to Grace Kim’s chart/ }).check();
    await page.screenshot({ path: `${e2e.shots}/inbox-unknown-number.png` });
    expect(await seriousAxeViolations(app)).toEqual([]);
    await pane.getByRole('button', { name: 'Link to Grace Kim' }).click();

    const thread = app.getByRole('region', { name: 'Messages', exact: true });
    await thread.getByText(body).waitFor({ timeout: 15_000 });
    await page.screenshot({ path: `${e2e.shots}/inbox-linked-thread.png` });

    const linked = await e2e.stack.sandbox.store.search<Communication>(
      parseSearchRequest('Communication?subject=Patient/p0010&_sort=-_lastUpdated&_count=5'),
    );
    const message = linked.entry
      ?.map((e) => e.resource as Communication)
      .find((c) => c.payload?.[0]?.contentString === body);
    expect(message).toMatchObject({
      meta: { profile: [PROFILES.inboundMessage] },
      sender: { reference: 'Patient/p0010' },
    });
    const grace = await e2e.stack.sandbox.store.readResource<Patient>('Patient', 'p0010');
    expect(grace.telecom?.some((t) => t.value === '+12015550188')).toBe(true);

    // Her next text files itself.
    const next = `And a second text (${randomUUID().slice(0, 6)})`;
    await e2e.stack.sandbox.phone.sendInbound({ from: '+12015550188', body: next });
    await thread.getByText(next).waitFor({ timeout: 10_000 });
  });
});
