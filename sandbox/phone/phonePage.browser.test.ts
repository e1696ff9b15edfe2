/**
 * The /phone page in a real Chromium: texts from the practice appear live, a reply typed on a phone reaches the
 * relay as a signed webhook, STOP and pictures work, and the page passes axe. Saves screenshots under test-results/.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { launchBrowser } from '../../test/support/browser';
import { PRACTICE } from '../seed/roster';
import { startFakeRelay, type FakeRelay } from './fakeRelay';
import { startPhoneSimulator, type RunningPhoneSimulator } from './startPhoneSimulator';

const ACCOUNT_SID = 'AC' + randomBytes(16).toString('hex');
const AUTH_TOKEN = randomBytes(16).toString('hex');
const MARIA = '+12015550123';
const EVELYN_LANDLINE = '+12015550125';
const GRACE = '+12015550129';
const DAVID = '+12015550130';
const SCREENSHOTS = path.resolve('test-results');
const POLL = { timeout: 5_000, interval: 50 };

let relay: FakeRelay;
let running: RunningPhoneSimulator;
let browser: Browser;
let page: Page;

const phone = (name: string) => page.locator(`article.phone[aria-label="${name}"]`);

beforeAll(async () => {
  relay = await startFakeRelay(AUTH_TOKEN);
  running = await startPhoneSimulator({
    accountSid: ACCOUNT_SID,
    authToken: AUTH_TOKEN,
    inboundWebhookUrl: relay.url('/twilio/inbound'),
    timing: { sentAfterMs: 20, finalAfterMs: 40 },
  });
  const client = running.twilioClient();
  await client.messages.create({
    to: MARIA,
    from: PRACTICE.smsNumber,
    body: 'Hola María, this is Riverside Family Medicine. Your visit with Dr. Lee is Tuesday at 10:30.',
  });
  await client.messages.create({ to: EVELYN_LANDLINE, from: PRACTICE.smsNumber, body: 'Your lab results are ready.' });
  await running.simulator.sendInbound({
    from: GRACE,
    body: 'This appeared this morning, should I come in?',
    media: ['rash.png'],
  });
  await running.simulator.settled();
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.setDefaultTimeout(5_000);
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await running?.close();
  await relay?.close();
});

test('when the page opens, then each phone shows its texts, a landline shows what could not be delivered', async () => {
  await page.goto(`${running.origin}/phone`);
  await expect
    .poll(() => phone('María García').locator('.thread').textContent(), POLL)
    .toContain('Your visit with Dr. Lee is Tuesday at 10:30.');
  await expect
    .poll(() => phone('Evelyn Wright').locator('.thread').textContent(), POLL)
    .toContain('Not delivered: 30006 Landline or unreachable carrier');
  expect(await phone('Evelyn Wright').locator('form').count()).toBe(0);
  await expect.poll(() => phone('Grace Kim').locator('.thread img').count(), POLL).toBe(1);
  await expect
    .poll(() => phone('Ana Torres · Lucas Torres').locator('.number').textContent(), POLL)
    .toContain('shared');
  await expect.poll(() => phone('Robert Chen').locator('.badge').textContent(), POLL).toBe('Opted out');
  await page.screenshot({ path: path.join(SCREENSHOTS, 'phone-page.png') });
  await page.screenshot({ path: path.join(SCREENSHOTS, 'phone-page-full.png'), fullPage: true });
});

test('when a patient types a reply, then the relay receives it signed and the phone shows it was taken', async () => {
  const maria = phone('María García');
  await maria.locator('textarea').fill('Sí, allí estaré. ¿Puedo llevar a mi hija?');
  await maria.locator('button.send').click();

  const [webhook] = await relay.waitFor(
    (candidate) => candidate.params.Body === 'Sí, allí estaré. ¿Puedo llevar a mi hija?',
  );
  expect(webhook?.signatureValid).toBe(true);
  expect(webhook?.params.From).toBe(MARIA);
  await expect.poll(() => maria.locator('.msg.sent').last().textContent(), POLL).toContain('Received by ChartText');
  await expect.poll(() => maria.locator('.result').textContent(), POLL).toContain('ChartText answered 200');
  await expect.poll(() => maria.locator('textarea').inputValue(), POLL).toBe('');
});

test('when the practice texts while the page is open, then the text appears without a reload', async () => {
  await running
    .twilioClient()
    .messages.create({ to: MARIA, from: PRACTICE.smsNumber, body: 'Yes, of course. See you Tuesday!' });
  await expect
    .poll(() => phone('María García').locator('.msg.received').last().textContent(), POLL)
    .toContain('See you Tuesday!');
  await phone('María García').screenshot({ path: path.join(SCREENSHOTS, 'phone-maria.png') });
});

test('when a patient taps STOP, then the relay gets STOP, Twilio confirms, and the phone shows it opted out', async () => {
  const david = phone('David Nguyen');
  await david.locator('button[value="STOP"]').click();
  await relay.waitFor((candidate) => candidate.params.From === DAVID && candidate.params.Body === 'STOP');
  await expect
    .poll(() => david.locator('.msg.received').last().textContent(), POLL)
    .toContain('You have successfully been unsubscribed');
  await expect.poll(() => david.locator('.badge').textContent(), POLL).toBe('Opted out');
  expect(running.simulator.isOptedOut(DAVID)).toBe(true);
});

test('when a patient attaches a picture, then the relay gets an MMS with a fetchable media URL', async () => {
  const grace = phone('Grace Kim');
  await grace.locator('select[name="picture"]').selectOption('pill-bottle.png');
  await grace.locator('textarea').fill('This is the one I take');
  await grace.locator('button.send').click();
  const [webhook] = await relay.waitFor((candidate) => candidate.params.Body === 'This is the one I take');
  expect(webhook?.params).toMatchObject({ NumMedia: '1', MediaContentType0: 'image/png' });
  await expect.poll(() => grace.locator('.msg.sent img').count(), POLL).toBe(2);
  await page.evaluate(() => document.querySelector('[aria-label="Grace Kim"]')?.scrollIntoView());
  await grace.screenshot({ path: path.join(SCREENSHOTS, 'phone-grace.png') });
});

test('when someone types a name without accents in the finder, then only that phone stays', async () => {
  await page.locator('#find').fill('muller');
  await expect.poll(() => page.locator('article.phone:visible').count(), POLL).toBe(1);
  await expect.poll(() => page.locator('article.phone:visible .owner').textContent(), POLL).toBe('Thomas Müller');
  await page.locator('#find').fill('');
  await expect.poll(() => page.locator('article.phone:visible').count(), POLL).toBe(running.simulator.phones.length);
});

test('the page has no serious accessibility violations (axe)', async () => {
  const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
  await page.addScriptTag({ path: axePath });
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as { axe: { run: () => Promise<{ violations: Array<{ id: string; impact: string }> }> } }
    ).axe;
    const result = await axe.run();
    return result.violations
      .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
      .map((violation) => violation.id);
  });
  expect(violations).toEqual([]);
});
