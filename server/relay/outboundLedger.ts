/**
 * What one relay process remembers about the outbound messages it is handling: the last version of each it read or
 * wrote (a bounded LRU), and a per-message turn so its own writes to one Communication happen one after another.
 * A status callback then needs no read, and one that changes nothing needs no request at all; writes still carry
 * If-Match, so a version another relay (or a person) wrote since only costs a 412 and a read
 * (docs/decisions/093-status-callbacks-without-reads.md). Nothing here is needed for correctness: a new process starts
 * empty and reads what it does not know.
 */
import type { Communication } from '@medplum/fhirtypes';
import type { RelayContext } from './context';

export interface OutboundLedger {
  /** The last version of the Communication this process saw, if it still remembers it. */
  known(id: string): Communication | undefined;
  /** Remembers `communication` unless a newer version is already known. */
  remember(communication: Communication): void;
  /**
   * Runs `work` after the earlier work on the same message (a send from claim to record, status reports), so a
   * status callback finds the send's record instead of racing it. A turn waits at most `maxWaitMs` for the earlier
   * ones (a send stuck at a fault point or a slow Twilio must not hold callbacks forever); If-Match keeps it correct
   * when it goes ahead.
   */
  inTurn<T>(id: string, work: () => Promise<T>, maxWaitMs?: number): Promise<T>;
}

/** How many messages a relay remembers: a few drain pages and their callbacks. */
const CAPACITY = 5000;
const DEFAULT_WAIT_MS = 5000;

const versionOf = (communication: Communication): number => Number(communication.meta?.versionId) || 0;

/** A ledger with its own memory (tests; the relay uses `ledgerOf`). */
export function createOutboundLedger(capacity = CAPACITY): OutboundLedger {
  const versions = new Map<string, Communication>();
  const turns = new Map<string, Promise<unknown>>();

  return {
    known(id) {
      const found = versions.get(id);
      if (found) {
        // Map order is insertion order: re-inserting marks it most recently used.
        versions.delete(id);
        versions.set(id, found);
      }
      return found;
    },
    remember(communication) {
      const id = communication.id;
      if (!id || !communication.meta?.versionId) return;
      const existing = versions.get(id);
      // Version ids of one resource grow on every server ChartText supports (the sandbox's are integers); a
      // non-numeric id compares as 0 and is simply replaced.
      if (existing && versionOf(existing) > versionOf(communication)) return;
      versions.delete(id);
      versions.set(id, communication);
      if (versions.size > capacity) {
        const oldest = versions.keys().next().value;
        if (oldest !== undefined) versions.delete(oldest);
      }
    },
    async inTurn(id, work, maxWaitMs = DEFAULT_WAIT_MS) {
      const before = turns.get(id);
      let release!: () => void;
      const mine = new Promise<void>((resolve) => {
        release = resolve;
      });
      const chained = before ? Promise.all([before, mine]) : mine;
      turns.set(id, chained);
      try {
        if (before) {
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([
            before.catch(() => undefined),
            new Promise<void>((resolve) => {
              timer = setTimeout(resolve, maxWaitMs);
            }),
          ]);
          clearTimeout(timer);
        }
        return await work();
      } finally {
        release();
        if (turns.get(id) === chained) turns.delete(id);
      }
    },
  };
}

const ledgers = new WeakMap<RelayContext, OutboundLedger>();

/** The ledger of a relay (one per RelayContext, so each relay process or test relay has its own). */
export function ledgerOf(ctx: RelayContext): OutboundLedger {
  let ledger = ledgers.get(ctx);
  if (!ledger) {
    ledger = createOutboundLedger();
    ledgers.set(ctx, ledger);
  }
  return ledger;
}
