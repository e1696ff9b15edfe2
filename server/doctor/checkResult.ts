/**
 * One row of the doctor's report: what was checked, how it went, what was found and, for a warning or a failure,
 * what to do about it. Every check in server/doctor returns these; the report prints them (printReport.ts).
 */

export type CheckStatus = 'pass' | 'warn' | 'fail';

export interface CheckResult {
  status: CheckStatus;
  /** Short name of the check, e.g. "PKCE (S256)". */
  check: string;
  /** What was found. */
  detail: string;
  /** What to do (warnings and failures). */
  fix?: string;
}

/** A passing row. */
export const pass = (check: string, detail: string): CheckResult => ({ status: 'pass', check, detail });

/** A warning row with its fix. */
export const warn = (check: string, detail: string, fix: string): CheckResult => ({
  status: 'warn',
  check,
  detail,
  fix,
});

/** A failing row with its fix. */
export const fail = (check: string, detail: string, fix: string): CheckResult => ({
  status: 'fail',
  check,
  detail,
  fix,
});
