/**
 * One sandbox stack (the built pages, the relay running) and one headless Chromium for an end-to-end test file:
 * started before its tests in a fresh data folder, closed after. Screenshots go to `test-results/<name>/`.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { startStack, type Stack } from '../../scripts/stack';
import { launchBrowser } from './browser';

export interface BrowserStack {
  readonly stack: Stack;
  readonly browser: Browser;
  /** The folder for this file's screenshots. */
  readonly shots: string;
}

/** Registers the file's beforeAll/afterAll and returns the stack and browser they start. */
export function useBrowserStack(name: string): BrowserStack {
  const shots = `test-results/${name}`;
  let stack: Stack | undefined;
  let browser: Browser | undefined;
  let dataDir: string | undefined;
  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    dataDir = mkdtempSync(path.join(tmpdir(), `charttext-${name}-e2e-`));
    stack = await startStack({ dataDir, web: 'dist', relayEnv: { LOG_LEVEL: 'silent' } });
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });
  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} starts in beforeAll`);
    return value;
  };
  return {
    shots,
    get stack() {
      return started(stack, 'the stack');
    },
    get browser() {
      return started(browser, 'the browser');
    },
  };
}
