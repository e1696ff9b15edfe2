/**
 * Scenario: two relay processes sweep the same outbox of pending messages at the same moment. Versioned claims
 * (If-Match) must let exactly one of them send each message: one SMS per message, none left behind.
 */
import { countOutbound, settleOutbound } from './countOutbound';
import { emptyCounts, type FaultCounts } from './faultCounts';
import type { FaultScale } from './faultScale';
import { createPendingBulk, textablePatients, type FaultStack } from './faultStack';
import { runRelayProcess } from './relayKills';

interface DrainReport {
  found: number;
  outcomes: Record<string, number>;
}

/** The drain report a relay process printed last (relayChild.ts with the point `none`). */
function reportOf(output: string): DrainReport | undefined {
  const line = output
    .trim()
    .split('\n')
    .reverse()
    .find((candidate) => candidate.startsWith('{"drainReport"'));
  return line ? (JSON.parse(line) as { drainReport: DrainReport }).drainReport : undefined;
}

/** Runs the scenario. */
export async function twoRelays(faults: FaultStack, scale: FaultScale): Promise<FaultCounts> {
  const counts = emptyCounts(`two relay processes sweep ${scale.pending.toLocaleString('en-US')} pending at once`);
  const started = performance.now();
  const { stack, runTag } = faults;
  const patients = textablePatients();
  const pending = await createPendingBulk(
    stack,
    Array.from({ length: scale.pending }, (_, i) => ({
      patientId: patients[i % patients.length]?.id ?? '',
      body: `Sweep ${runTag} #${i}: your colonoscopy prep instructions`,
    })),
  );
  const sweepStart = performance.now();
  const [a, b] = await Promise.all([runRelayProcess(faults, ['none']), runRelayProcess(faults, ['none'])]);
  const sweepSeconds = (performance.now() - sweepStart) / 1000;
  await stack.sandbox.phone.settled({ timeoutMs: 300_000 });
  const byReconciliation = await settleOutbound(faults, pending, 60_000);

  const tally = countOutbound(faults, pending);
  counts.sent = pending.length;
  counts.delivered = tally.delivered;
  counts.duplicated = tally.duplicated;
  counts.lost = tally.lost;
  counts.seconds = (performance.now() - started) / 1000;
  const [first, second] = [reportOf(a.output), reportOf(b.output)];
  const outcomes = (report: DrainReport | undefined): string =>
    Object.entries(report?.outcomes ?? {})
      .filter(([, n]) => n > 0)
      .map(([outcome, n]) => `${outcome} ${n}`)
      .join(', ');
  counts.notes.push(
    `relay A: ${outcomes(first)}; relay B: ${outcomes(second)} (taken = claimed by the other first); ` +
      `both done in ${sweepSeconds.toFixed(1)} s (${(pending.length / sweepSeconds).toFixed(0)} messages/s with process start)`,
  );
  if (a.code !== 0 || b.code !== 0 || !first || !second) {
    throw new Error(`a relay process failed (exits ${a.code ?? a.signal}, ${b.code ?? b.signal}): no race was run`);
  }
  if (byReconciliation > 0) counts.notes.push(`${byReconciliation} delivered only after reconciliation`);
  if (tally.lostIds.length > 0) counts.notes.push(`not delivered: ${tally.lostIds.slice(0, 5).join(', ')}`);
  return counts;
}
