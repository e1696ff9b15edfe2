/**
 * A real Chromium for end-to-end tests: @sparticuz/chromium's build (arrives with npm install, no download at test
 * time), or the browser at CHROME_PATH when set.
 */
import chromium from '@sparticuz/chromium';
import { chromium as playwright, type Browser } from 'playwright-core';

// Flags from @sparticuz/chromium that would hide real browser behaviour (CORS, CSP framing, site isolation).
const WEAKENING_FLAGS = [
  '--disable-web-security',
  '--allow-running-insecure-content',
  '--disable-site-isolation-trials',
];

/** Launches a headless Chromium; the caller closes it. */
export async function launchBrowser(): Promise<Browser> {
  const envPath = process.env.CHROME_PATH;
  const executablePath = envPath && envPath.length > 0 ? envPath : await chromium.executablePath();
  const args = envPath
    ? ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run']
    : chromium.args.filter((arg) => !WEAKENING_FLAGS.includes(arg));
  return playwright.launch({ executablePath, args, headless: true });
}
