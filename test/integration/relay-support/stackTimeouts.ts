/**
 * The relay stack compresses time: a claim left by a dead relay can be reconciled after 3 s (tests wait
 * STACK_CLAIM_TIMEOUT_MS, then reconcile), and a send stops retrying after 1.5 s (at most half, server/config.ts).
 */
import type { RelayConfig } from '../../../server/config';

/** CLAIM_TIMEOUT_SECONDS of the stack's relays, in ms. */
export const STACK_CLAIM_TIMEOUT_MS = 3_000;

/**
 * The stack's relay configuration with Twilio's production request timeout (15 s): under load the phone simulator
 * may take longer than the compressed send deadline to answer one request, and the tests reconcile only while no
 * relay is sending. relayStack.ts and relayChild.ts use it.
 */
export function withStackTimeouts(config: RelayConfig): RelayConfig {
  return { ...config, twilioTimeoutMs: 15_000 };
}
