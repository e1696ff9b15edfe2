/**
 * Reconciliation (DESIGN.md, "Reconcile"): compares Twilio's message log with the EHR and closes every gap a dead
 * relay, a down EHR or a lost callback left. The checkpoint is a sliding window kept in memory: a fresh process
 * looks back `reconcileLookbackMs`, later runs from the previous run's start minus an overlap (docs/decisions/054).
 * Every step is idempotent, so several relays may reconcile at once.
 */
import type { Communication } from '@medplum/fhirtypes';
import { TOKENS } from '../../fhir-profiles/vocabulary';
import { applyStatusReport } from './applyStatusCallback';
import type { RelayContext } from './context';
import { describeError } from './describeError';
import { matches } from './fhirStore';
import { findSentCopy } from './findSentCopy';
import { claimOutbound } from './claimOutbound';
import { claimedAtOf, sidOf, toNumberOf } from './outboundFields';
import { inboundFromLog } from './parseInbound';
import { receiveInbound } from './receiveInbound';
import { recordAccepted, sendClaimed } from './sendOutbound';
import { updateVersioned } from './updateVersioned';

export interface ReconcileReport {
  inboundChecked: number;
  inboundFiled: number;
  claimsAdopted: number;
  claimsResent: number;
  statusesRefreshed: number;
  errors: number;
}

const LOG_LIMIT = 5_000;
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
});

/** Inbound messages in Twilio's log since `since` that the EHR lacks, filed now. */
async function reconcileInbound(ctx: RelayContext, since: Date, report: ReconcileReport): Promise<void> {
  const log = await ctx.sms.list({ to: ctx.settings.practiceNumber, dateSentAfter: since, limit: LOG_LIMIT });
  const inbound = log.filter((message) => message.direction === 'inbound');
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
        report.errors++;
        ctx.log.warn({ sid: message.sid, err: describeError(err) }, 'reconciliation could not file an inbound message');
      }
    }
  }
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
        } else {
          const claimedAt = claimedAtOf(communication)?.getTime() ?? 0;
          if (now - claimedAt >= ctx.settings.claimTimeoutMs) await resolveClaim(ctx, communication, report);
        }
      } catch (err) {
        report.errors++;
        ctx.log.warn({ communication: communication.id, err: describeError(err) }, 'reconciliation step failed');
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
