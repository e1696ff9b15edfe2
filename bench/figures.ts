/**
 * The common shape of a benchmark figure, for `npm run bench` (bench/run.ts) and bench/REPORT.md: what was measured,
 * the baseline measured in the same run, the goal from the issue, and whether it is met. A bench script hands its
 * figures to the runner with `writeFigures` (a JSON file named by `--figures <path>`); run on its own it just prints.
 */
import { writeFileSync } from 'node:fs';

/** The parts of the product the figures belong to (the issue that names them). */
export type FigureArea = 'thread' | 'relay' | 'front-desk' | 'sandbox';

export interface Goal {
  op: '≤' | '<' | '≥' | '>';
  value: number;
  /** What the goal bounds: the value itself, or value ÷ baseline. */
  of: 'value' | 'ratio';
}

export interface Figure {
  /** Stable key, e.g. `thread.first-paint`. */
  id: string;
  area: FigureArea;
  name: string;
  /** Undefined when the figure could not be measured (see `note`). */
  value?: number;
  unit: string;
  baseline?: { name: string; value: number; unit: string };
  /** The ratio when the script pairs each sample with its own baseline (the median of per-sample ratios). */
  ratio?: number;
  goal?: Goal;
  /** A short explanation: what else was seen, why a value is missing. */
  note?: string;
  /** Set by the runner for figures whose bench does not exist yet. */
  notBuiltYet?: boolean;
}

export type Verdict = 'pass' | 'fail' | 'info' | 'not built yet' | 'missing';

/** The script's paired ratio, else value ÷ baseline, when both are there. */
export function ratioOf(figure: Figure): number | undefined {
  if (figure.ratio !== undefined) return figure.ratio;
  if (figure.value === undefined || !figure.baseline || figure.baseline.value === 0) return undefined;
  return figure.value / figure.baseline.value;
}

/** Whether the figure meets its goal. */
export function verdictOf(figure: Figure): Verdict {
  if (figure.notBuiltYet) return 'not built yet';
  if (figure.value === undefined) return 'missing';
  if (!figure.goal) return 'info';
  const measured = figure.goal.of === 'ratio' ? ratioOf(figure) : figure.value;
  if (measured === undefined) return 'missing';
  const { op, value } = figure.goal;
  const met =
    op === '≤' ? measured <= value : op === '<' ? measured < value : op === '≥' ? measured >= value : measured > value;
  return met ? 'pass' : 'fail';
}

/** A number as the report prints it: integers plainly, small numbers with two significant decimals. */
export function formatNumber(value: number): string {
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString('en-US');
  return value.toFixed(value >= 10 ? 1 : 2);
}

/** The goal as text, e.g. `ratio ≤ 1.2×` or `≥ 300/s`. */
export function formatGoal(figure: Figure): string {
  if (!figure.goal) return '—';
  const { op, value, of } = figure.goal;
  return of === 'ratio' ? `ratio ${op} ${value}×` : `${op} ${formatNumber(value)}${unitSuffix(figure.unit)}`;
}

/** How a unit follows a number (`/s` and `×` stick to it, words get a space). */
export function unitSuffix(unit: string): string {
  return unit === '' || unit.startsWith('/') || unit === '×' ? unit : ` ${unit}`;
}

/** Writes `figures` where the runner asked (`--figures <path>`); a no-op when the script runs on its own. */
export function writeFigures(figures: readonly Figure[], argv: readonly string[] = process.argv): void {
  const index = argv.indexOf('--figures');
  const path = index >= 0 ? argv[index + 1] : undefined;
  if (path) writeFileSync(path, JSON.stringify(figures, null, 2));
}
