/**
 * Reconciliation (DESIGN.md, "Reconcile"): compares Twilio's message log with the EHR and closes every gap a dead
 * relay, a down EHR or a lost callback left. The checkpoint is a sliding window kept in memory: a fresh process
 * looks back `reconcileLookbackMs`, later runs from the previous run's start minus an overlap (docs/decisions/054).
 * Every step is idempotent, so several relays may reconcile at once. Only transient failures (EHR or Twilio
 * unreachable, 429, 5xx) and an unread rest of Twilio's log hold the window; a permanent failure of one message (a SID
 * Twilio no longer knows, a message the EHR refuses) is logged and skipped, so it cannot pin every later pass.
 */
import type { Communication } from '@medplum/fhirtypes';
import { TOKENS } from '../../fhir-profiles/vocabulary';
import { applyStatusReport } from './applyStatusCallback';
import type { RelayContext } from './context';
import { describeError } from './describeError';
import { isTransientFhirError, matches } from './fhirStore';
import { findSentCopy } from './findSentCopy';
import { claimOutbound } from './claimOutbound';
import { claimedAtOf, sidOf, toNumberOf } from './outboundFields';
import { inboundFromLog } from './parseInbound';
import { receiveInbound } from './receiveInbound';
import { recordAccepted, sendClaimed } from './sendOutbound';
import { SmsGatewayError, type SmsMessage } from './smsGateway';
import { updateVersioned } from './updateVersioned';

export interface ReconcileReport {
  inboundChecked: number;
  inboundFiled: number;
  claimsAdopted: number;
  claimsResent: number;
  statusesRefreshed: number;
  /** Transient failures, and a log too long to read in one pass: the window does not move. */
  errors: number;
  /** Messages that failed for good (logged): they do not hold the window. */
  skipped: number;
}

/** Twilio's log is read newest first, a page of this many at a time, going back by send date. */
const LOG_PAGE = 1_000;
const MAX_LOG_PAGES = 100;
const SID_CHUNK = 50;
const OUTBOUND_PAGE = 200;
const MAX_OUTBOUND_PASSES = 20;

const emptyReport = (): ReconcileReport => ({
  inboundChecked: 0,
  inboundFiled: 0,
  claimsAdopted: 0,
  claimsResent: 0,
  statusesRefreshed: 0,
  errors: 0,
  skipped: 0,
});

/** True when trying again later may work: the EHR or Twilio unreachable, overloaded, timing out. */
export function isTransientError(err: unknown): boolean {
  if (err instanceof SmsGatewayError) return err.status === 0 || err.status === 429 || err.status >= 500;
  return isTransientFhirError(err);
}

/** Items already reported as failing for good, per relay: later passes log them at debug level only. */
const reportedForGood = new WeakMap<RelayContext, Set<string>>();

/** Counts a failed step: transient ones hold the window, permanent ones are logged (once) and skipped. */
function failed(
  ctx: RelayContext,
  report: ReconcileReport,
  err: unknown,
  item: { sid: string } | { communication: string | undefined },
  what: string,
): void {
  const fields = { ...item, err: describeError(err) };
  if (isTransientError(err)) {
    report.errors++;
    ctx.log.warn(fields, `${what}; the next pass tries again`);
    return;
  }
  report.skipped++;
  const reported = reportedForGood.get(ctx) ?? new Set<string>();
  reportedForGood.set(ctx, reported);
  const key = JSON.stringify(item);
  if (reported.has(key)) {
    ctx.log.debug(fields, `${what} for good; skipped again`);
    return;
  }
  if (reported.size >= 10_000) reported.clear();
  reported.add(key);
  ctx.log.error(fields, `${what} for good; skipped (later passes skip it quietly)`);
}

/** The inbound messages of `batch` the EHR lacks, filed now (one search per 50 SIDs). */
async function fileMissing(ctx: RelayContext, batch: readonly SmsMessage[], report: ReconcileReport): Promise<void> {
  const inbound = batch.filter((message) => message.direction === 'inbound');
  report.inboundChecked += inbound.length;
  for (let start = 0; start < inbound.length; start += SID_CHUNK) {
    const chunk = inbound.slice(start, start + SID_CHUNK);
    const bundle = await ctx.fhir.search('Communication', {
      identifier: chunk.map((message) => TOKENS.twilioSid(message.sid)).join(','),
      _count: String(chunk.length),
    });
    const filed = new Set(matches<Communication>(bundle, 'Communication').map((found) => sidOf(found)));
    for (const message of chunk.filter((candidate) => !filed.has(candidate.sid))) {
      try {
        const media = message.numMedia > 0 ? await ctx.sms.listMedia(message.sid) : [];
        const result = await receiveInbound(ctx, inboundFromLog(message, media));
        if (result.outcome !== 'duplicate') report.inboundFiled++;
      } catch (err) {
        failed(ctx, report, err, { sid: message.sid }, 'reconciliation could not file an inbound message');
      }
    }
  }
}

/**
 * Inbound messages in Twilio's log since `since` that the EHR lacks, filed now. Twilio lists newest first, so the
 * log is read a page at a time going back by send date until the window's start; a log longer than the pass reads
 * (an outage of many thousand texts) holds the window rather than dropping its oldest messages.
 */
async function reconcileInbound(ctx: RelayContext, since: Date, report: ReconcileReport): Promise<void> {
  const seen = new Set<string>();
  let before: Date | undefined;
  for (let page = 0; page < MAX_LOG_PAGES; page++) {
    const batch = await ctx.sms.list({
      to: ctx.settings.practiceNumber,
      dateSentAfter: since,
      ...(before ? { dateSentBefore: before } : {}),
      limit: LOG_PAGE,
    });
    const fresh = batch.filter((message) => !seen.has(message.sid));
    for (const message of fresh) seen.add(message.sid);
    await fileMissing(ctx, fresh, report);
    if (batch.length < LOG_PAGE) return;
    const oldest = Math.min(...batch.map((message) => Date.parse(message.dateSent ?? '')).filter(Number.isFinite));
    // A page of one second's messages, or nothing new: going back further would not move.
    if (fresh.length === 0 || !Number.isFinite(oldest)) break;
    // Twilio's DateSent< has whole seconds; the oldest second is read again and its SIDs skipped.
    before = new Date(oldest + 1_000);
  }
  report.errors++;
  ctx.log.error(
    { read: seen.size, pages: MAX_LOG_PAGES },
    'Twilio’s log holds more inbound messages in the window than one pass reads; the window stays',
  );
}

/** A claim without SID: adopt the SMS Twilio already has for it, or claim it again and send. */
async function resolveClaim(ctx: RelayContext, claim: Communication, report: ReconcileReport): Promise<void> {
  const to = toNumberOf(claim);
  if (!to) return;
  const copy = await findSentCopy(ctx, claim, to);
  if (copy) {
    await recordAccepted(ctx, claim, copy);
    report.claimsAdopted++;
    ctx.log.info({ communication: claim.id, sid: copy.sid }, 'reconciliation adopted the SID of an SMS already sent');
    return;
  }
  const reclaimed = await claimOutbound(ctx, claim, to);
  if (!reclaimed) return;
  report.claimsResent++;
  ctx.log.info({ communication: claim.id }, 'reconciliation sends a claimed message that never reached Twilio');
  await sendClaimed(ctx, reclaimed, to);
}

/** A message with a SID and no final status for a while: ask Twilio where it is. */
async function refreshStatus(ctx: RelayContext, communication: Communication, report: ReconcileReport): Promise<void> {
  const sid = sidOf(communication);
  if (!sid) return;
  const message = await ctx.sms.fetch(sid);
  const { changed } = await updateVersioned(ctx.fhir, communication, (current) =>
    applyStatusReport(
      current,
      {
        sid,
        status: message.status,
        ...(message.errorCode === undefined ? {} : { errorCode: message.errorCode }),
        ...(message.errorMessage === undefined ? {} : { errorMessage: message.errorMessage }),
      },
      ctx.clock.now(),
    ),
  );
  if (changed) report.statusesRefreshed++;
}

/**
 * When the claim was written, by the EHR's clock (the claim version's meta.lastUpdated): every replica's claims are
 * timed by one clock, not by the clock of whichever relay wrote `claimed-at` (docs/decisions/059).
 */
function claimWrittenAt(communication: Communication): number {
  const written = Date.parse(communication.meta?.lastUpdated ?? '');
  if (Number.isFinite(written)) return written;
  return claimedAtOf(communication)?.getTime() ?? 0;
}

/** Outbound messages in progress for longer than the claim timeout or the stuck threshold. */
async function reconcileOutbound(ctx: RelayContext, report: ReconcileReport): Promise<void> {
  const handled = new Set<string>();
  for (let pass = 0; pass < MAX_OUTBOUND_PASSES; pass++) {
    const now = ctx.clock.now().getTime();
    const olderThan = Math.min(ctx.settings.claimTimeoutMs, ctx.settings.stuckAfterMs);
    const bundle = await ctx.fhir.search('Communication', {
      status: 'in-progress',
      medium: TOKENS.smsMedium,
      category: TOKENS.outbound,
      _lastUpdated: `lt${new Date(now - olderThan).toISOString()}`,
      _count: String(OUTBOUND_PAGE),
    });
    const due = matches<Communication>(bundle, 'Communication').filter(
      (communication) => communication.id && !handled.has(communication.id),
    );
    if (due.length === 0) return;
    for (const communication of due) {
      handled.add(communication.id as string);
      try {
        if (sidOf(communication)) {
          if (now - Date.parse(communication.meta?.lastUpdated ?? '') >= ctx.settings.stuckAfterMs) {
            await refreshStatus(ctx, communication, report);
          }
        } else if (now - claimWrittenAt(communication) >= ctx.settings.claimTimeoutMs) {
          await resolveClaim(ctx, communication, report);
        }
      } catch (err) {
        failed(ctx, report, err, { communication: communication.id }, 'reconciliation of an outbound message failed');
      }
    }
  }
}

/** One reconciliation pass over inbound (since `since`) and stuck outbound messages. */
export async function reconcile(ctx: RelayContext, since: Date): Promise<ReconcileReport> {
  const report = emptyReport();
  try {
    await reconcileInbound(ctx, since, report);
  } catch (err) {
    report.errors++;
    ctx.log.warn({ err: describeError(err) }, 'inbound reconciliation failed');
  }
  try {
    await reconcileOutbound(ctx, report);
  } catch (err) {
    report.errors++;
    ctx.log.warn({ err: describeError(err) }, 'outbound reconciliation failed');
  }
  ctx.log.info({ ...report }, 'reconciliation done');
  return report;
}

export interface Reconciler {
  /** Runs one pass (joins a running one); the window is kept in memory between passes. */
  run(): Promise<ReconcileReport>;
}

/** A reconciler with its sliding-window checkpoint. */
export function createReconciler(ctx: RelayContext, overlapMs: number): Reconciler {
  let lastStart: Date | undefined;
  let running: Promise<ReconcileReport> | undefined;
  return {
    run() {
      if (running) return running;
      const started = ctx.clock.now();
      const since = lastStart
        ? new Date(lastStart.getTime() - overlapMs)
        : new Date(started.getTime() - ctx.settings.reconcileLookbackMs);
      running = reconcile(ctx, since)
        .then((report) => {
          // Move the window only after a pass with no errors, so a failed pass is retried in full.
          if (report.errors === 0) lastStart = started;
          return report;
        })
        .finally(() => {
          running = undefined;
        });
      return running;
    },
  };
}
