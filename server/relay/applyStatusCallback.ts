/**
 * A Twilio status report (signed status callback, or a status fetched by reconciliation) applied to its outbound
 * Communication through the one-way state machine (docs/decisions/050). Deduplicated on (SID, status): a replay or a
 * late status writes nothing. A report for a claim whose SID never reached the EHR adopts the SID — only for the
 * attempt in flight: the StatusCallback URL names the Communication and its send attempt, and a callback of an earlier
 * attempt (before a Retry) changes nothing (docs/decisions/058). The relay's ledger of versions it wrote spares the
 * read, and a report that changes nothing costs no request at all (docs/decisions/093).
 */
import type { Communication } from '@medplum/fhirtypes';
import { TOKENS } from '../../fhir-profiles/vocabulary';
import { deliveryFailureFlag } from './classifyTwilioError';
import type { RelayContext } from './context';
import { fhirErrorStatus, matches } from './fhirStore';
import { flagNumber } from './flagNumber';
import { ledgerOf, type OutboundLedger } from './outboundLedger';
import { nextOutboundState, type TwilioStatus } from './mapTwilioStatus';
import { previousSidsOf, sendAttemptOf, sidOf, toNumberOf, twilioStatusOf, withSid } from './outboundFields';
import { withTwilioStatus } from './recordSendResult';
import { updateVersioned } from './updateVersioned';

export interface StatusReport {
  sid: string;
  status: TwilioStatus;
  errorCode?: number;
  errorMessage?: string;
  /** The Communication id carried in the StatusCallback URL, when the callback came from a relay send. */
  communicationId?: string;
  /** The send attempt carried in the StatusCallback URL (`a`), when the callback came from a relay send. */
  attempt?: number;
}

export type StatusOutcome = 'applied' | 'unchanged' | 'unknown';

/** The Communication after the report, or undefined when it changes nothing (pure). */
export function applyStatusReport(
  communication: Communication,
  report: StatusReport,
  now: Date,
): Communication | undefined {
  const recorded = sidOf(communication);
  if (recorded !== undefined && recorded !== report.sid) return undefined;
  if (previousSidsOf(communication).includes(report.sid)) return undefined;
  // Adopting a SID is for the claim in flight that sent it: in-progress, no SID yet, and the attempt of the callback
  // URL. A message back in `preparation` (Retry) or claimed again has moved on; the old SMS's reports are history.
  if (
    recorded === undefined &&
    (communication.status !== 'in-progress' || report.attempt !== sendAttemptOf(communication))
  ) {
    return undefined;
  }
  const transition = nextOutboundState(
    { status: communication.status, twilioStatus: twilioStatusOf(communication) },
    report.status,
  );
  if (!transition.change) return undefined;
  // Adopting the SID of a send whose record was lost: Twilio accepted it before now.
  const adopted =
    recorded === undefined
      ? { ...withSid(communication, report.sid), sent: communication.sent ?? now.toISOString() }
      : communication;
  return withTwilioStatus(adopted, transition, report);
}

async function findCommunication(ctx: RelayContext, report: StatusReport): Promise<Communication | undefined> {
  if (report.communicationId) {
    try {
      return await ctx.fhir.read('Communication', report.communicationId);
    } catch (err) {
      if (fhirErrorStatus(err) !== 404 && fhirErrorStatus(err) !== 410) throw err;
    }
  }
  const bundle = await ctx.fhir.search('Communication', { identifier: TOKENS.twilioSid(report.sid), _count: '2' });
  return matches<Communication>(bundle, 'Communication')[0];
}

/**
 * Where to start from: the version this relay last wrote or read, when it can decide on it, else the EHR's.
 * A version that carries the report's SID and gains nothing from it is final for this report: the EHR's current
 * version can only be further along (statuses move one way, a Retry moves the SID to the earlier attempts), so the
 * report is a duplicate there too ('unchanged', no request). A version without that SID decides nothing on its own.
 */
async function startingPoint(
  ctx: RelayContext,
  ledger: OutboundLedger,
  report: StatusReport,
): Promise<Communication | 'unchanged' | undefined> {
  const known = report.communicationId ? ledger.known(report.communicationId) : undefined;
  if (known) {
    const changes = applyStatusReport(known, report, ctx.clock.now()) !== undefined;
    if (sidOf(known) === report.sid && !changes) return 'unchanged';
    // A change computed on a known version is written with its If-Match; a 412 re-reads (updateVersioned).
    if (changes) return known;
  }
  return findCommunication(ctx, report);
}

/** Applies a status report to the EHR, in the message's turn (after the relay's own record of the send). */
export async function applyStatusCallback(ctx: RelayContext, report: StatusReport): Promise<StatusOutcome> {
  const ledger = ledgerOf(ctx);
  return ledger.inTurn(report.communicationId ?? report.sid, async () => {
    const start = await startingPoint(ctx, ledger, report);
    if (start === 'unchanged') return 'unchanged';
    if (!start) {
      // A TwiML keyword reply, or a message sent outside ChartText from the same number: not ours to track.
      ctx.log.debug({ sid: report.sid, status: report.status }, 'status for a message the EHR does not hold');
      return 'unknown';
    }
    const { resource, changed } = await updateVersioned(ctx.fhir, start, (current) =>
      applyStatusReport(current, report, ctx.clock.now()),
    );
    ledger.remember(resource);
    if (!changed) return 'unchanged';
    ctx.log.info(
      { communication: resource.id, sid: report.sid, status: report.status, code: report.errorCode },
      'status applied',
    );
    const flag =
      report.status === 'undelivered' || report.status === 'failed' ? deliveryFailureFlag(report.errorCode) : undefined;
    const recipient = resource.recipient?.[0]?.reference;
    const to = toNumberOf(resource);
    if (flag && recipient && to) await flagNumber(ctx, recipient, to, flag);
    return 'applied';
  });
}
