/**
 * `npm run bench`: runs every bench script (bench/benchScripts.ts), each in its own process and bounded in time,
 * collects their figures in one shape (bench/figures.ts) and writes bench/REPORT.md (bench/writeReport.ts).
 *
 *   npx tsx bench/run.ts [--quick] [--out <file>]
 *   --quick   a smoke run with fewer messages; prints the report and writes it only with --out
 *   --out     where to write the report (default bench/REPORT.md for a full run)
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { ensureProfilesBuilt } from '../fhir-profiles/scripts/buildProfiles';
import buildWeb from '../test/setup/buildWeb';
import { BENCH_SCRIPTS, PLANNED_FIGURES, type BenchScript } from './benchScripts';
import { formatGoal, formatNumber, unitSuffix, verdictOf, type Figure } from './figures';
import { renderReport, type RunInfo } from './writeReport';

const REPO = path.resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const QUICK = args.includes('--quick');
const outIndex = args.indexOf('--out');
const OUT = outIndex >= 0 ? args[outIndex + 1] : QUICK ? undefined : path.join(REPO, 'bench', 'REPORT.md');

interface ScriptRun {
  figures: Figure[];
  seconds: number;
  outcome: string;
}

/** Waits (at most `maxMs`) for the 1-minute load average to drop below the core count; returns the load then. */
async function quietMoment(maxMs: number): Promise<number> {
  const deadline = Date.now() + maxMs;
  while ((loadavg()[0] ?? 0) >= cpus().length && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 5_000));
  }
  return loadavg()[0] ?? 0;
}

/** Runs one script in a child process, echoing its output, and reads its figures. */
async function runScript(script: BenchScript, workDir: string, index: number): Promise<ScriptRun> {
  const figuresFile = path.join(workDir, `figures-${index}.json`);
  const scriptArgs = QUICK ? script.quickArgs : script.args;
  const started = performance.now();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(REPO, script.file), ...scriptArgs, '--figures', figuresFile],
    { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
    process.stdout.write(chunk);
  });
  child.stderr.on('data', (chunk: Buffer) => process.stderr.write(chunk));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, script.timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.on('close', (exitCode) => resolve(exitCode)));
  clearTimeout(timer);
  const seconds = (performance.now() - started) / 1000;
  let figures: Figure[] = [];
  try {
    figures =
      script.read === 'figures' ? (JSON.parse(readFileSync(figuresFile, 'utf8')) as Figure[]) : script.read(output);
  } catch (err) {
    return { figures: [], seconds, outcome: `no figures (${(err as Error).message})` };
  }
  const outcome = timedOut
    ? `stopped after ${script.timeoutMs / 1000} s`
    : code === 0
      ? 'ok'
      : `exited ${code ?? 'by signal'}`;
  return { figures, seconds, outcome };
}

function git(...gitArgs: string[]): string {
  try {
    return execFileSync('git', gitArgs, { cwd: REPO, encoding: 'utf8' });
  } catch {
    return '';
  }
}

async function main(): Promise<number> {
  const startedAt = new Date();
  const loadAtStart = loadavg();
  const began = performance.now();
  await ensureProfilesBuilt();
  await buildWeb();
  const workDir = mkdtempSync(path.join(tmpdir(), 'charttext-bench-run-'));
  const figures: Figure[] = [];
  const scripts: RunInfo['scripts'] = [];
  try {
    for (const [index, script] of BENCH_SCRIPTS.entries()) {
      // The machine is shared: give other work a moment to calm down (the report shows the load each ran at).
      const load = await quietMoment(QUICK ? 0 : 20_000);
      console.log(`\n▶ ${script.label}: ${script.file} ${(QUICK ? script.quickArgs : script.args).join(' ')}`);
      const result = await runScript(script, workDir, index);
      figures.push(...result.figures);
      scripts.push({
        label: script.label,
        file: script.file,
        args: QUICK ? script.quickArgs : script.args,
        seconds: result.seconds,
        outcome: result.outcome,
        load,
      });
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  figures.push(...PLANNED_FIGURES);

  // Porcelain lines are "XY path": the figures depend on any change under these folders.
  const dirty = git('status', '--porcelain', '--', 'bench', 'server', 'sandbox', 'client', 'launch', 'fhir-profiles')
    .split('\n')
    .filter((line) => line.length > 3)
    .map((line) => line.slice(3))
    .filter((file) => file !== 'bench/REPORT.md');
  const run: RunInfo = {
    startedAt,
    seconds: (performance.now() - began) / 1000,
    commit: git('rev-parse', '--short=12', 'HEAD').trim() || 'unknown',
    dirty,
    cpu: cpus()[0]?.model.trim() ?? 'unknown CPU',
    cores: cpus().length,
    memoryGiB: totalmem() / 1024 ** 3,
    node: process.version,
    platform: `${platform()} ${release()}`,
    loadAtStart,
    loadAtEnd: loadavg(),
    quick: QUICK,
    scripts,
  };
  const report = renderReport(figures, run);
  if (OUT) writeFileSync(OUT, report);

  console.log('\nFigures');
  for (const figure of figures) {
    const value = figure.value === undefined ? '—' : `${formatNumber(figure.value)}${unitSuffix(figure.unit)}`;
    console.log(`  ${verdictOf(figure).padEnd(13)} ${figure.name}: ${value}  (goal ${formatGoal(figure)})`);
  }
  console.log(OUT ? `\nWrote ${path.relative(REPO, OUT)}` : `\n${report}`);
  const broken =
    scripts.filter((s) => s.outcome !== 'ok').length + figures.filter((f) => verdictOf(f) === 'missing').length;
  return broken === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
