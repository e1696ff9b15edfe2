/**
 * Drains the outbox: finds pending outbound Communications (status `preparation`, SMS medium, outbound direction),
 * fetches their recipients and consents page by page, and sends them with bounded concurrency. Nudges, the sweep
 * and Subscription notifications all just request a drain; requests during a drain coalesce into one more pass.
 */
import type { Bundle, Communication, Patient, RelatedPerson, Resource } from '@medplum/fhirtypes';
import { TOKENS } from '../../fhir-profiles/vocabulary';
import { loadConsentDecisions } from './checkConsent';
import type { RelayContext } from './context';
import { byReference, fhirErrorStatus, matches } from './fhirStore';
import { describeError } from './describeError';
import { sendOutbound, type SendOutcome } from './sendOutbound';

export interface DrainReport {
  found: number;
  outcomes: Record<SendOutcome | 'error', number>;
}

export interface OutboxDrain {
  /** Starts a drain, or asks the running one for another pass; resolves when the drain it joined ends. */
  request(): Promise<DrainReport>;
  /** Resolves when no drain is running. */
  idle(): Promise<void>;
  /** No new drain starts from now on (the running one finishes); for stopping the relay. */
  close(): void;
}

/** Runs `work` over `items` with at most `limit` in flight. */
async function runLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function shuffled<T>(items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

/** The search for pending outbound SMS. */
export function pendingSearch(pageSize: number): Record<string, string> {
  return {
    status: 'preparation',
    medium: TOKENS.smsMedium,
    category: TOKENS.outbound,
    _include: 'Communication:recipient',
    _sort: '_lastUpdated',
    _count: String(pageSize),
  };
}

/** Recipients of the page: those the server included, the rest fetched with one `_id` search per type. */
async function recipientsOf(
  ctx: RelayContext,
  communications: readonly Communication[],
  included: Map<string, Resource>,
): Promise<Map<string, Resource>> {
  const missing = new Map<'Patient' | 'RelatedPerson', Set<string>>([
    ['Patient', new Set()],
    ['RelatedPerson', new Set()],
  ]);
  for (const communication of communications) {
    const reference = communication.recipient?.[0]?.reference;
    if (!reference || included.has(reference)) continue;
    const [type, id] = reference.split('/');
    if (id && (type === 'Patient' || type === 'RelatedPerson')) missing.get(type)?.add(id);
  }
  const found = new Map(included);
  for (const [type, ids] of missing) {
    if (ids.size === 0) continue;
    const bundle = await ctx.fhir.search(type, { _id: [...ids].join(','), _count: String(ids.size) });
    for (const [reference, resource] of byReference(bundle)) found.set(reference, resource);
  }
  return found;
}

/** Whether the EHR refused `_include`/`_sort` on the pending search (then the plain search is used). */
const plainSearch = new WeakSet<RelayContext>();

/** A page of pending messages; an EHR that refuses `_include` or `_sort` (400) gets the plain search from then on. */
async function pendingPage(ctx: RelayContext): Promise<Bundle> {
  const { _include, _sort, ...plain } = pendingSearch(ctx.settings.pageSize);
  if (!plainSearch.has(ctx)) {
    try {
      return await ctx.fhir.search('Communication', { ...plain, _include, _sort });
    } catch (err) {
      if (fhirErrorStatus(err) !== 400) throw err;
      plainSearch.add(ctx);
      ctx.log.warn({}, 'the EHR refuses _include/_sort on Communication; recipients are read separately');
    }
  }
  return ctx.fhir.search('Communication', plain);
}

async function drainOnce(ctx: RelayContext, report: DrainReport, seen: Set<string>): Promise<number> {
  const page = await pendingPage(ctx);
  const fresh = matches<Communication>(page, 'Communication').filter(
    (communication) => communication.id && !seen.has(communication.id),
  );
  if (fresh.length === 0) return 0;
  for (const communication of fresh) seen.add(communication.id as string);
  report.found += fresh.length;
  const recipients = await recipientsOf(ctx, fresh, byReference(page));
  const consents = await loadConsentDecisions(
    ctx,
    fresh.map((communication) => communication.subject?.reference).filter((ref): ref is string => !!ref),
  );
  await runLimited(shuffled(fresh), ctx.settings.sendConcurrency, async (communication) => {
    const recipientRef = communication.recipient?.[0]?.reference;
    const recipient = recipientRef ? (recipients.get(recipientRef) as Patient | RelatedPerson | undefined) : undefined;
    try {
      const outcome = await sendOutbound(ctx, {
        communication,
        recipient,
        consent: consents.get(communication.subject?.reference ?? '') ?? 'none',
      });
      report.outcomes[outcome]++;
    } catch (err) {
      report.outcomes.error++;
      ctx.log.error({ communication: communication.id, err: describeError(err) }, 'outbound send failed');
    }
  });
  return fresh.length;
}

/** A coalescing, single-flight drain for one relay process. */
export function createOutboxDrain(ctx: RelayContext, options: { maxMessages?: number } = {}): OutboxDrain {
  const maxMessages = options.maxMessages ?? 100_000;
  let running: Promise<DrainReport> | undefined;
  let again = false;
  let closed = false;

  const run = async (): Promise<DrainReport> => {
    const report: DrainReport = {
      found: 0,
      outcomes: { taken: 0, sent: 0, stopped: 0, unresolved: 0, error: 0 },
    };
    const seen = new Set<string>();
    try {
      for (;;) {
        again = false;
        // Once closed, the page in hand is sent and no further page is read.
        while (!closed && report.found < maxMessages && (await drainOnce(ctx, report, seen)) > 0) {
          // next page
        }
        if (!again) break;
        seen.clear();
      }
    } catch (err) {
      ctx.log.warn({ err: describeError(err) }, 'outbox drain interrupted; the next sweep resumes it');
    }
    if (report.found > 0) ctx.log.info({ ...report.outcomes, found: report.found }, 'outbox drained');
    return report;
  };

  return {
    request() {
      if (running) {
        if (!closed) again = true;
        return running;
      }
      if (closed)
        return Promise.resolve({ found: 0, outcomes: { taken: 0, sent: 0, stopped: 0, unresolved: 0, error: 0 } });
      running = run().finally(() => {
        running = undefined;
      });
      return running;
    },
    async idle() {
      while (running) await running;
    },
    close() {
      closed = true;
      again = false;
    },
  };
}
