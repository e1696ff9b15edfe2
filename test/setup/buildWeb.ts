/**
 * Vitest global setup (node project): builds the launch and client pages into dist/web when their sources are newer
 * than the last build, so end-to-end tests always drive the current app (a few seconds when needed, else nothing).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { build } from 'vite';

const SOURCES = ['launch', 'client', 'fhir-profiles', 'vite.config.ts', 'package-lock.json'];
const STAMP = 'dist/web/client/index.html';

function newestMtime(entry: string): number {
  if (!existsSync(entry)) return 0;
  const stat = statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const name of readdirSync(entry)) {
    if (name === 'build' || name.startsWith('.')) continue;
    newest = Math.max(newest, newestMtime(path.join(entry, name)));
  }
  return newest;
}

/** Builds dist/web when stale. */
export default async function setup(): Promise<void> {
  const built = existsSync(STAMP) ? statSync(STAMP).mtimeMs : 0;
  if (Math.max(...SOURCES.map(newestMtime)) <= built) return;
  // Vitest sets NODE_ENV=test, and Vite would then bundle React's development build: the tests drive what ships.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ logLevel: 'warn', mode: 'production' });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
}
