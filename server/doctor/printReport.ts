/**
 * The doctor's report as text: one line per check (status, check, what was found), the fix under each warning and
 * failure, and a summary line. Plain text that reads the same in a terminal, a CI log or an email. Pure.
 */
import type { CheckResult, CheckStatus } from './checkResult';

const LABEL: Record<CheckStatus, string> = { pass: 'PASS', warn: 'WARN', fail: 'FAIL' };

/** The report for `rows` checked against `fhirBaseUrl` (pure). */
export function formatReport(fhirBaseUrl: string, rows: readonly CheckResult[]): string {
  const width = Math.min(38, Math.max(...rows.map((row) => row.check.length), 5));
  const lines = [`ChartText doctor — ${fhirBaseUrl}`, '', `${'STATUS'.padEnd(6)}  ${'CHECK'.padEnd(width)}  DETAIL`];
  for (const row of rows) {
    lines.push(`${LABEL[row.status].padEnd(6)}  ${row.check.padEnd(width)}  ${row.detail}`);
    if (row.fix && row.status !== 'pass') lines.push(`${''.padEnd(6)}  ${''.padEnd(width)}  fix: ${row.fix}`);
  }
  const count = (status: CheckStatus): number => rows.filter((row) => row.status === status).length;
  const warnings = count('warn') === 1 ? '1 warning' : `${count('warn')} warnings`;
  lines.push('', `${count('pass')} passed, ${warnings}, ${count('fail')} failed.`);
  lines.push(
    count('fail') > 0
      ? 'ChartText cannot go live against this EHR until every FAIL is fixed.'
      : 'Nothing blocks go-live; read the warnings.',
  );
  return `${lines.join('\n')}\n`;
}

/** The process exit code for `rows`: 1 when any check failed. */
export function exitCodeOf(rows: readonly CheckResult[]): number {
  return rows.some((row) => row.status === 'fail') ? 1 : 0;
}
