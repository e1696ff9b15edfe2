/**
 * Faults a test can inject into the simulated Twilio REST API: the next N requests answer with an error
 * (429, 5xx, a permanent 4xx code), or the connection drops before or after the message is accepted (the case that
 * leaves a relay with an SMS it never heard about, which reconciliation must adopt from the log).
 */
import { TWILIO_ERRORS } from './twilioErrors';

export type Fault =
  /** Answer with this HTTP status and Twilio error code instead of handling the request. */
  | { kind: 'error'; status: number; code: number }
  /** Close the connection without answering and without doing anything. */
  | { kind: 'drop' }
  /** Accept the message (it is logged and delivered), then close the connection without answering. */
  | { kind: 'accept-then-drop' };

/** Which requests a fault applies to: message creates only, or any REST request. */
export type FaultTarget = 'create' | 'any';

interface QueuedFault {
  fault: Fault;
  target: FaultTarget;
  remaining: number;
}

const CODE_FOR_STATUS: Record<number, number> = { 429: 20429, 500: 20500, 503: 20503 };

/** A Twilio-shaped error fault from an HTTP status (429 → 20429, 500 → 20500, 503 → 20503) or an explicit code. */
export function errorFault(statusOrCode: number): Fault {
  const knownCode = CODE_FOR_STATUS[statusOrCode];
  if (knownCode !== undefined) return { kind: 'error', status: statusOrCode, code: knownCode };
  const known = (TWILIO_ERRORS as Record<number, { status: number } | undefined>)[statusOrCode];
  if (known !== undefined) return { kind: 'error', status: known.status, code: statusOrCode };
  throw new Error(`No Twilio error is known for ${statusOrCode}; pass { kind: 'error', status, code }`);
}

export interface FaultQueue {
  /** Queues `fault` for the next `count` requests of `target` (default: 1 create). */
  inject(fault: Fault, options?: { count?: number; target?: FaultTarget }): void;
  /** Takes the fault for a request, if one is queued. */
  take(operation: 'create' | 'other'): Fault | undefined;
  clear(): void;
}

/** An empty fault queue. */
export function createFaultQueue(): FaultQueue {
  const queue: QueuedFault[] = [];
  return {
    inject(fault, options = {}) {
      const count = options.count ?? 1;
      if (!Number.isInteger(count) || count < 1) throw new Error('count must be a positive integer');
      queue.push({ fault, target: options.target ?? 'create', remaining: count });
    },
    take(operation) {
      const index = queue.findIndex((entry) => entry.target === 'any' || operation === 'create');
      const entry = queue[index];
      if (entry === undefined) return undefined;
      entry.remaining -= 1;
      if (entry.remaining === 0) queue.splice(index, 1);
      return entry.fault;
    },
    clear() {
      queue.length = 0;
    },
  };
}
