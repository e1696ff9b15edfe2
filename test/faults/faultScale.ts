/**
 * How big each fault scenario runs. `full` is issue 8's scale (`npm run test:faults`); `small` runs the same
 * scenarios in a few minutes inside `npm test`. The scale is chosen by the entry point (test file or CLI flag), never
 * by the environment.
 */

export interface FaultScale {
  name: 'small' | 'full';
  /** Unique inbound webhooks in the flood (20 % of them are replayed). */
  inbound: number;
  /** Outbound messages whose held status callbacks are released shuffled during the flood. */
  callbackMessages: number;
  /** How long the EHR is down while inbound texts keep arriving, and how many arrive per second. */
  outageMs: number;
  outageRatePerSecond: number;
  /** Pending messages two relay processes sweep at once. */
  pending: number;
  /** Messages pending when the relay is SIGKILLed at each fault point. */
  killBatch: number;
  /** Messages sent through bursts of Twilio 429 and 5xx answers. */
  transientBatch: number;
  /** Times each kind of forged webhook is sent. */
  forgedEach: number;
}

export const SMALL_SCALE: FaultScale = {
  name: 'small',
  inbound: 500,
  callbackMessages: 50,
  outageMs: 3_000,
  outageRatePerSecond: 20,
  pending: 300,
  killBatch: 4,
  transientBatch: 20,
  forgedEach: 5,
};

export const FULL_SCALE: FaultScale = {
  name: 'full',
  inbound: 10_000,
  callbackMessages: 1_000,
  outageMs: 30_000,
  outageRatePerSecond: 20,
  pending: 5_000,
  killBatch: 20,
  transientBatch: 200,
  forgedEach: 50,
};
