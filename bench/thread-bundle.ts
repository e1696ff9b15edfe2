/**
 * Initial JavaScript of the ChartText client page, gzipped, against a minimal React + fhirclient page built the same
 * way in the same run (goal: ≤ 1.6×). "Initial" = what the page loads at start (see pageSize); chunks loaded later
 * with import() are listed apart. Not a test: run `npx tsx bench/thread-bundle.ts`.
 */
import react from '@vitejs/plugin-react';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';

const REPO = path.resolve(import.meta.dirname, '..');
const GOAL = 1.6;

interface PageSize {
  initial: number;
  lazy: number;
  files: string[];
}

function gzipBytes(file: string): number {
  return gzipSync(readFileSync(file), { level: 9 }).length;
}

interface ManifestChunk {
  file: string;
  imports?: string[];
}

/**
 * Gzipped bytes of the JS a page loads at start: its entry chunk and what that imports statically (the page's script
 * and the modulepreload links the build writes beside it). Chunks loaded with import() (the inbox, the template
 * picker, the segment calculator) are counted apart as lazy; bench/thread-open.ts lists the scripts the page really
 * fetched before the thread painted, so a lazy chunk on that path would show there.
 */
function pageSize(outDir: string, entry: string): PageSize {
  const manifest = JSON.parse(readFileSync(path.join(outDir, '.vite', 'manifest.json'), 'utf8')) as Record<
    string,
    ManifestChunk
  >;
  const initial = new Set<string>();
  const addStatic = (key: string): void => {
    const chunk = manifest[key];
    if (!chunk || initial.has(chunk.file)) return;
    initial.add(chunk.file);
    for (const imported of chunk.imports ?? []) addStatic(imported);
  };
  addStatic(entry);
  const all = new Set(
    Object.values(manifest)
      .map((c) => c.file)
      .filter((f) => f.endsWith('.js')),
  );
  const lazy = [...all].filter((f) => !initial.has(f));
  const size = (file: string): number => gzipBytes(path.join(outDir, file));
  return {
    initial: [...initial].reduce((sum, f) => sum + size(f), 0),
    lazy: lazy.reduce((sum, f) => sum + size(f), 0),
    files: [...initial].map((f) => `${path.basename(f)} ${size(f)} B`),
  };
}

async function buildChartText(outDir: string): Promise<PageSize> {
  await build({
    root: REPO,
    configFile: path.join(REPO, 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true, manifest: true },
  });
  return pageSize(outDir, 'client/index.html');
}

/** The baseline: a page that completes a SMART launch with fhirclient and renders with React, nothing else. */
async function buildBaseline(outDir: string): Promise<PageSize> {
  const root = mkdtempSync(path.join(REPO, 'node_modules', '.charttext-bench-'));
  try {
    writeFileSync(
      path.join(root, 'index.html'),
      '<!doctype html><html lang="en"><body><div id="root"></div><script type="module" src="./main.tsx"></script></body></html>',
    );
    writeFileSync(
      path.join(root, 'main.tsx'),
      `import FHIR from 'fhirclient';
import { createRoot } from 'react-dom/client';
const root = createRoot(document.getElementById('root')!);
FHIR.oauth2.ready().then((client) => client.request('Communication?_count=50')).then(
  (bundle) => root.render(<p>{JSON.stringify(bundle).length}</p>),
  (error) => root.render(<p>{String(error)}</p>),
);
`,
    );
    await build({
      root,
      configFile: false,
      logLevel: 'warn',
      plugins: [react()],
      build: { outDir, emptyOutDir: true, manifest: true },
    });
    return pageSize(outDir, 'index.html');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;

async function main(): Promise<void> {
  const out = mkdtempSync(path.join(tmpdir(), 'charttext-bundle-'));
  try {
    mkdirSync(out, { recursive: true });
    const app = await buildChartText(path.join(out, 'app'));
    const baseline = await buildBaseline(path.join(out, 'baseline'));
    const ratio = app.initial / baseline.initial;
    console.log('Initial JS of the client page (gzip -9)');
    console.log(`  ChartText client:            ${kb(app.initial)}  (${app.files.join(', ')})`);
    console.log(`  baseline React + fhirclient: ${kb(baseline.initial)}`);
    console.log(`  ratio: ${ratio.toFixed(2)}×   goal ≤ ${GOAL}×   ${ratio <= GOAL ? 'met' : 'NOT met'}`);
    console.log(`  loaded later (import()): ${kb(app.lazy)}`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

await main();
