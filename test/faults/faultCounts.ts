/**
 * What every fault scenario reports (issue 8): how many messages or requests it sent, how many reached their right
 * end state ("delivered"; for attacks and bad input: refused with nothing written, or stored exactly as sent), and the
 * counts that must be zero: duplicated, lost, forged (a request that got through or wrote something it must not, an
 * SMS or Communication nobody sent) and PHI hits in logs.
 */

export interface FaultCounts {
  scenario: string;
  sent: number;
  delivered: number;
  duplicated: number;
  lost: number;
  /** EHR writes or SMS caused by requests that should have changed nothing. */
  forged: number;
  /** Seeded names, numbers and bodies found in what the relay and sandbox logged. */
  phi: number;
  seconds: number;
  /** Short details (never PHI): what was sent, how long things took, which case failed. */
  notes: string[];
}

/** Counts for `scenario` starting at zero. */
export function emptyCounts(scenario: string): FaultCounts {
  return { scenario, sent: 0, delivered: 0, duplicated: 0, lost: 0, forged: 0, phi: 0, seconds: 0, notes: [] };
}

/** Why a scenario failed (empty when it passed): any non-zero failure count, or an accounting that does not add up. */
export function problems(counts: FaultCounts): string[] {
  const found: string[] = [];
  for (const key of ['duplicated', 'lost', 'forged', 'phi'] as const) {
    if (counts[key] > 0) found.push(`${counts.scenario}: ${counts[key]} ${key}`);
  }
  if (counts.sent === 0) found.push(`${counts.scenario}: sent nothing, so it proves nothing`);
  // When nothing failed, every item sent must be accounted for as delivered.
  if (found.length === 0 && counts.delivered + counts.lost !== counts.sent) {
    found.push(`${counts.scenario}: ${counts.delivered} delivered + ${counts.lost} lost ≠ ${counts.sent} sent`);
  }
  return found;
}

/** The results as a Markdown table, one row per scenario, with notes below. */
export function formatCounts(results: readonly FaultCounts[]): string {
  const header = '| scenario | sent | delivered | duplicated | lost | forged | PHI | seconds | result |';
  const rows = results.map(
    (c) =>
      `| ${c.scenario} | ${c.sent} | ${c.delivered} | ${c.duplicated} | ${c.lost} | ${c.forged} | ${c.phi} | ` +
      `${c.seconds.toFixed(1)} | ${problems(c).length === 0 ? 'pass' : 'FAIL'} |`,
  );
  const notes = results.flatMap((c) => c.notes.map((note) => `- ${c.scenario}: ${note}`));
  return [header, '|---|--:|--:|--:|--:|--:|--:|--:|---|', ...rows, '', ...notes].join('\n');
}
