/**
 * The fault and security suite (issue 8), in the order it runs on one stack. The PHI search runs last: it reads
 * everything the relay and the sandbox logged during the scenarios before it.
 */
import { badInput } from './badInput';
import { ehrOutage } from './ehrOutage';
import type { FaultCounts } from './faultCounts';
import type { FaultScale } from './faultScale';
import type { FaultStack } from './faultStack';
import { forgedWebhooks } from './forgedWebhooks';
import { inboundFlood } from './inboundFlood';
import { phiInLogs } from './phiInLogs';
import { relayKills } from './relayKills';
import { twilioErrors } from './twilioErrors';
import { twoRelays } from './twoRelays';

export interface FaultScenario {
  /** Short name for `--only` and test titles. */
  name: string;
  run(faults: FaultStack, scale: FaultScale): Promise<FaultCounts>;
  /** Upper bound of its run time at each scale, for test timeouts. */
  timeoutMs: Record<FaultScale['name'], number>;
}

export const FAULT_SCENARIOS: readonly FaultScenario[] = [
  { name: 'inbound-flood', run: inboundFlood, timeoutMs: { small: 120_000, full: 900_000 } },
  { name: 'ehr-outage', run: ehrOutage, timeoutMs: { small: 90_000, full: 300_000 } },
  { name: 'relay-kills', run: relayKills, timeoutMs: { small: 120_000, full: 300_000 } },
  { name: 'two-relays', run: twoRelays, timeoutMs: { small: 120_000, full: 600_000 } },
  { name: 'twilio-errors', run: twilioErrors, timeoutMs: { small: 90_000, full: 300_000 } },
  { name: 'forged-webhooks', run: forgedWebhooks, timeoutMs: { small: 60_000, full: 300_000 } },
  { name: 'bad-input', run: badInput, timeoutMs: { small: 60_000, full: 120_000 } },
  { name: 'phi-in-logs', run: phiInLogs, timeoutMs: { small: 60_000, full: 120_000 } },
];
