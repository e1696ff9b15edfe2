/**
 * A relay process that drains the outbox once and SIGKILLs itself when it reaches a chosen fault point — the
 * process really dies, nothing runs after that step. With the point `none` it drains once, prints its drain report as
 * the last stdout line and exits 0 (one of several relay processes racing on one outbox). It logs as configured
 * (LOG_LEVEL) to stdout, so a parent that keeps the output can search everything it logged.
 * Test runs only: the fault point comes from the command line of this test script, never from the relay's
 * configuration.
 *
 *   tsx relayChild.ts '<relay variables as JSON>' <fault point | none> [<communication id>]
 */
import { parseRelayConfig } from '../../../server/config';
import { createLogger } from '../../../server/createLogger';
import { createRelay } from '../../../server/createRelay';
import type { FaultPoint } from '../../../server/relay/context';
import { withStackTimeouts } from './stackTimeouts';

const [variables = '{}', point = '', target = ''] = process.argv.slice(2);
const config = withStackTimeouts(parseRelayConfig(JSON.parse(variables) as Record<string, string>));
const relay = createRelay(config, {
  logger: createLogger(config.logLevel),
  faultPoints: (reached: FaultPoint, communicationId: string) => {
    if (reached === point && communicationId === target) process.kill(process.pid, 'SIGKILL');
  },
});
const report = await relay.drain.request();
if (point === 'none') {
  await relay.stop();
  process.stdout.write(`${JSON.stringify({ drainReport: report })}\n`);
  process.exit(0);
}
// The fault point was never reached: say so, so the test fails instead of passing vacuously.
process.exit(3);
