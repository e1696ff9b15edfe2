/**
 * `npm run test:faults`: the fault and security suite at full scale (10,000 inbound, a 30 s EHR outage, 5,000
 * pending for two relays, …), each scenario printing its counts; exits 1 if any scenario lost, duplicated or forged
 * anything or found PHI in the logs. `npm test` runs the same scenarios small (test/faults/faults.test.ts).
 *
 *   npx tsx test/faults/run.ts [--quick] [--only inbound-flood,ehr-outage]
 *   --quick   the small scale of npm test (a smoke run)
 *   --only    run only the named scenarios (the PHI search then covers only what they logged)
 */
import { writeSync } from 'node:fs';
import { ensureProfilesBuilt } from '../../fhir-profiles/scripts/buildProfiles';
import { formatCounts, problems, type FaultCounts } from './faultCounts';
import { FULL_SCALE, SMALL_SCALE } from './faultScale';
import { startFaultStack } from './faultStack';
import { FAULT_SCENARIOS } from './faultSuite';

const args = process.argv.slice(2);
const scale = args.includes('--quick') ? SMALL_SCALE : FULL_SCALE;
const onlyIndex = args.indexOf('--only');
const only = onlyIndex >= 0 ? new Set((args[onlyIndex + 1] ?? '').split(',')) : undefined;
const unknown = [...(only ?? [])].filter((name) => !FAULT_SCENARIOS.some((scenario) => scenario.name === name));
if (unknown.length > 0) {
  console.error(`Unknown scenario ${unknown.join(', ')}; known: ${FAULT_SCENARIOS.map((s) => s.name).join(', ')}`);
  process.exit(2);
}

/** Prints straight to the terminal, past the capture that feeds the PHI search. */
const say = (text: string): void => {
  writeSync(1, `${text}\n`);
};

async function main(): Promise<number> {
  await ensureProfilesBuilt();
  const began = performance.now();
  say(`Fault and security suite, ${scale.name} scale`);
  const faults = await startFaultStack();
  const results: FaultCounts[] = [];
  try {
    for (const scenario of FAULT_SCENARIOS) {
      if (only && !only.has(scenario.name)) continue;
      say(`\n▶ ${scenario.name}`);
      let counts: FaultCounts;
      try {
        counts = await scenario.run(faults, scale);
      } catch (err) {
        counts = {
          scenario: scenario.name,
          sent: 0,
          delivered: 0,
          duplicated: 0,
          lost: 0,
          forged: 0,
          phi: 0,
          seconds: 0,
          notes: [`crashed: ${(err as Error).stack ?? String(err)}`],
        };
      }
      results.push(counts);
      const verdict = problems(counts);
      say(
        `  sent ${counts.sent}, delivered ${counts.delivered}, duplicated ${counts.duplicated}, lost ${counts.lost}, ` +
          `forged ${counts.forged}, PHI ${counts.phi} — ${counts.seconds.toFixed(1)} s — ${verdict.length === 0 ? 'pass' : 'FAIL'}`,
      );
      for (const note of counts.notes) say(`  ${note}`);
      for (const problem of verdict) say(`  ✗ ${problem}`);
    }
  } finally {
    await faults.close();
  }
  say(`\n${formatCounts(results)}`);
  const failed = results.filter((counts) => problems(counts).length > 0);
  say(
    `\n${results.length - failed.length}/${results.length} scenarios passed in ${((performance.now() - began) / 1000).toFixed(0)} s`,
  );
  return failed.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
