/**
 * The fault and security suite (issue 8) at small scale, inside `npm test`: every scenario of
 * `npm run test:faults` (test/faults/run.ts) with smaller counts (500 inbound, a 3 s EHR outage, 300 pending for two
 * relays, …), on one stack, in order, the PHI search last. Each must report 0 lost, duplicated, forged and PHI.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { formatCounts, problems, type FaultCounts } from './faultCounts';
import { SMALL_SCALE } from './faultScale';
import { startFaultStack, type FaultStack } from './faultStack';
import { FAULT_SCENARIOS } from './faultSuite';

let faults: FaultStack;
const results: FaultCounts[] = [];

beforeAll(async () => {
  faults = await startFaultStack();
}, 60_000);

afterAll(async () => {
  await faults?.close();
  console.info(`Fault suite, small scale:\n${formatCounts(results)}`);
});

test.each(FAULT_SCENARIOS.map((scenario) => [scenario.name, scenario] as const))(
  'when the %s scenario runs, then nothing is lost, duplicated or forged and no PHI is logged',
  async (_name, scenario) => {
    const counts = await scenario.run(faults, SMALL_SCALE);
    results.push(counts);
    expect(problems(counts), counts.notes.join('\n')).toEqual([]);
  },
  Math.max(...FAULT_SCENARIOS.map((scenario) => scenario.timeoutMs.small)),
);
