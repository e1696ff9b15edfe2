/**
 * Scenario: a relay process draining a batch of pending messages is SIGKILLed at each step of the send pipeline in
 * turn (after the claim, before the Twilio call, after Twilio accepted, after the EHR recorded it). The batch is sent
 * concurrently, so the other messages die at whatever step they had reached. A new relay then reconciles and drains:
 * every message must end with exactly one SMS and the EHR holding its SID and final status.
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { Communication } from '@medplum/fhirtypes';
import type { FaultPoint } from '../../server/relay/context';
import { countOutbound, settleOutbound } from './countOutbound';
import { emptyCounts, type FaultCounts } from './faultCounts';
import type { FaultScale } from './faultScale';
import { createPendingBulk, sleep, textablePatients, type FaultStack } from './faultStack';

const POINTS: readonly FaultPoint[] = ['after-claim', 'before-twilio', 'after-twilio-accept', 'after-record'];
const RELAY_CHILD = fileURLToPath(new URL('../integration/relay-support/relayChild.ts', import.meta.url));

/** Runs a relay process (relayChild.ts) to its end, keeping what it printed; resolves with how it ended. */
export async function runRelayProcess(
  faults: FaultStack,
  args: string[],
): Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }> {
  const child = fork(RELAY_CHILD, [JSON.stringify(faults.stack.variables), ...args], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const chunks: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  const output = chunks.join('');
  faults.otherLogs.push(output);
  return { code, signal, output };
}

/** Runs the scenario. */
export async function relayKills(faults: FaultStack, scale: FaultScale): Promise<FaultCounts> {
  const counts = emptyCounts(`relay SIGKILLed at each of ${POINTS.length} send steps, ${scale.killBatch} in flight`);
  const started = performance.now();
  const { stack, runTag } = faults;
  const patients = textablePatients();
  const all: Communication[] = [];

  for (const point of POINTS) {
    const batch = await createPendingBulk(
      stack,
      Array.from({ length: scale.killBatch }, (_, i) => ({
        patientId: patients[(i * 3) % patients.length]?.id ?? '',
        body: `Kill ${runTag} ${point} #${i}: please fast before your lipid panel`,
      })),
    );
    all.push(...batch);
    const target = batch[Math.floor(batch.length / 2)]?.id ?? '';
    const { code, signal } = await runRelayProcess(faults, [point, target]);
    // A relay that never reached the fault point proved nothing about it.
    if (signal !== 'SIGKILL') throw new Error(`the relay process was not killed at ${point} (exit ${code ?? signal})`);
    await sleep(1_100); // past CLAIM_TIMEOUT_SECONDS=1
    const relay = stack.restart();
    await relay.reconciler.run();
    await relay.drain.request();
    await stack.sandbox.phone.settled({ timeoutMs: 30_000 });
    // Callbacks missed while no relay listened: the stuck-status pass of reconciliation fetches them.
    await settleOutbound(faults, batch, 10_000);
  }

  const tally = countOutbound(faults, all);
  counts.sent = all.length;
  counts.delivered = tally.delivered;
  counts.duplicated = tally.duplicated;
  counts.lost = tally.lost;
  counts.seconds = (performance.now() - started) / 1000;
  counts.notes.push(`${POINTS.join(', ')}: one process killed at each, ${all.length} messages in all`);
  if (tally.lostIds.length > 0) counts.notes.push(`not delivered: ${tally.lostIds.slice(0, 5).join(', ')}`);
  return counts;
}
