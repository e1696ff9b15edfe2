/**
 * What the Chromium benches share when they time ChartText opening through a SMART launch: the built pages, the
 * moment a page first painted what the user came for (a frame, not a polling tick), the FHIR requests it took, and
 * the median of the runs. Not a test: bench/*.ts scripts print what these measure.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { WEB_DIST_DIR } from '../server/http/webPages';

/** Stops with the command to run when the pages the benches serve (dist/web) are not built. */
export function requireBuiltWeb(): void {
  if (!existsSync(path.join(WEB_DIST_DIR, 'client', 'index.html'))) {
    throw new Error('Build the app first: npx vite build');
  }
}

/** The middle value (the upper one of an even count); 0 for none. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** What the screen shows once it is "painted": every `present` selector matches, no `absent` one does. */
export interface PaintedWhen {
  present: readonly string[];
  absent?: readonly string[];
}

interface PaintMarks {
  /** Wall-clock ms (performance.timeOrigin based) of the first frame after the condition held. */
  paintedAt?: number;
  /** The same, from the client page's own start (its performance.timeOrigin). */
  paintedAfterStart?: number;
}

/**
 * Before navigating: records, in every document the page loads, the first frame in which `when` holds. Selectors go
 * in as data (not code), so a page's Content-Security-Policy has nothing to refuse.
 */
export async function markFirstPaint(page: Page, when: PaintedWhen): Promise<void> {
  await page.addInitScript(
    ({ present, absent }: { present: string[]; absent: string[] }) => {
      // No named inner functions: tsx would wrap them in a helper the page does not have.
      new MutationObserver((_records, observer) => {
        if (!present.every((s) => document.querySelector(s) !== null)) return;
        if (absent.some((s) => document.querySelector(s) !== null)) return;
        observer.disconnect();
        requestAnimationFrame(() => {
          const now = performance.now();
          const marks = window as unknown as PaintMarks;
          marks.paintedAfterStart = now;
          marks.paintedAt = performance.timeOrigin + now;
        });
      }).observe(document, { childList: true, subtree: true, attributes: true, characterData: true });
    },
    { present: [...when.present], absent: [...(when.absent ?? [])] },
  );
}

/** Waits for the paint `markFirstPaint` records; returns its wall-clock time and the time from the page's start. */
export async function waitForFirstPaint(
  page: Page,
  timeoutMs = 60_000,
): Promise<{ paintedAt: number; afterPageStart: number }> {
  const handle = await page.waitForFunction(
    () => {
      const marks = window as unknown as PaintMarks;
      return marks.paintedAt === undefined ? undefined : [marks.paintedAt, marks.paintedAfterStart ?? 0];
    },
    undefined,
    { timeout: timeoutMs },
  );
  const [paintedAt = 0, afterPageStart = 0] = (await handle.jsonValue()) as number[];
  return { paintedAt, afterPageStart };
}

/** Counts the page's requests to the FHIR base (discovery under `.well-known` aside) until `stop()`. */
export function countFhirRequests(page: Page, fhirBaseUrl: string): { urls: string[]; stop(): void } {
  const urls: string[] = [];
  let counting = true;
  page.on('request', (request) => {
    const url = request.url();
    if (counting && url.startsWith(fhirBaseUrl) && !url.includes('/.well-known/')) {
      urls.push(`${request.method()} ${url.slice(fhirBaseUrl.length) || '/'}`);
    }
  });
  return {
    urls,
    stop() {
      counting = false;
    },
  };
}
