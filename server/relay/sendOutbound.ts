/**
 * Sends one pending outbound Communication: destination and consent, the claim (versioned update; a 412 means
 * another relay has it), the Twilio call with bounded retries, and the record of what happened.
 * Exactly-once rests on three things (docs/decisions/051): only the claimer sends; an ambiguous Twilio failure is
 * resolved by looking for the message in Twilio's log before sending again; and a claim left without a SID is
 * resolved the same way by reconciliation.
 */
import type { Communication, Patient, RelatedPerson } from '@medplum/fhirtypes';
import { classifySendFailure } from './classifyTwilioError';
import { twilioErrorText } from './classifyTwilioError';
import type { ConsentDecision } from './checkConsent';
import { smsConsent } from './checkConsent';
import type { RelayContext } from './context';
import { claimOutbound, requireVersion, statusCallbackUrl } from './claimOutbound';
import { findSentCopy } from './findSentCopy';
import { flagNumber } from './flagNumber';
import { isVersionConflict } from './fhirStore';
import { ledgerOf } from './outboundLedger';
import { bodyOf, sendAttemptOf, sidOf } from './outboundFields';
import { accepted, stopped } from './recordSendResult';
import { resolveDestination } from './resolveDestination';
import { SmsGatewayError, type SmsMessage } from './smsGateway';
import { updateVersioned } from './updateVersioned';

export interface PendingOutbound {
  communication: Communication;
  /** The recipient resource, when the search included or fetched it. */
  recipient: Patient | RelatedPerson | undefined;
  /** SMS consent of the subject patient. */
  consent: ConsentDecision;
}

export type SendOutcome =
  /** Another relay claimed it first. */
  | 'taken'
  | 'sent'
  | 'stopped'
  /** Claimed, but Twilio could not be reached or answered ambiguously: reconciliation resolves it. */
  | 'unresolved';

/** Sends one message through the whole pipeline; never throws for expected failures. */
export async function sendOutbound(ctx: RelayContext, item: PendingOutbound): Promise<SendOutcome> {
  const { communication } = item;
  const recipientRef = communication.recipient?.[0]?.reference;
  const destination = item.recipient
    ? resolveDestination(item.recipient.telecom, ctx.settings.region, ctx.clock.now())
    : ({
        ok: false,
        reason: recipientRef ? 'The recipient could not be read.' : 'The message has no recipient.',
      } as const);

  if (!destination.ok) return stopBeforeClaim(ctx, communication, 'no-sms-number', destination.reason);
  if (item.consent === 'deny') {
    return stopBeforeClaim(ctx, communication, 'consent-denied', 'The patient has opted out of SMS (STOP).');
  }

  // The send takes the message's turn from claim to record: its own status callbacks wait for the record instead of
  // racing it (docs/decisions/093).
  return ledgerOf(ctx).inTurn(communication.id ?? '', async () => {
    const claim = await claimOutbound(ctx, communication, destination.e164);
    if (!claim) return 'taken';
    return sendClaimed(ctx, claim, destination.e164);
  });
}

/** The steps after a successful claim: the Twilio call and the record of its outcome. */
export async function sendClaimed(ctx: RelayContext, claim: Communication, to: string): Promise<SendOutcome> {
  const id = claim.id ?? '';
  await ctx.faults('after-claim', id);
  const result = await sendWithRetry(ctx, claim, to);
  if (result.kind === 'unresolved') return 'unresolved';
  if (result.kind === 'superseded') {
    ctx.log.info({ communication: id, outcome: result.outcome }, 'the claim changed while sending; retries stopped');
    return result.outcome;
  }
  if (result.kind === 'accepted') {
    await ctx.faults('after-twilio-accept', id);
    await recordAccepted(ctx, claim, result.message);
    await ctx.faults('after-record', id);
    ctx.log.info({ communication: id, sid: result.message.sid }, 'outbound accepted by Twilio');
    return 'sent';
  }
  return stopAfterRejection(ctx, claim, result.error, to, claim.recipient?.[0]?.reference);
}

async function stopBeforeClaim(
  ctx: RelayContext,
  communication: Communication,
  reason: 'no-sms-number' | 'consent-denied',
  text: string,
): Promise<SendOutcome> {
  requireVersion(communication);
  try {
    ledgerOf(ctx).remember(
      await ctx.fhir.update(stopped(communication, reason, text), { ifMatch: communication.meta?.versionId }),
    );
  } catch (err) {
    if (isVersionConflict(err)) return 'taken';
    throw err;
  }
  ctx.log.info({ communication: communication.id, reason }, 'outbound stopped before sending');
  return 'stopped';
}

type SendResult =
  | { kind: 'accepted'; message: SmsMessage }
  | { kind: 'rejected'; error: SmsGatewayError }
  | { kind: 'unresolved' }
  /** The claim changed under the sender: its SID is recorded ('sent'), or another relay took it over ('taken'). */
  | { kind: 'superseded'; outcome: 'sent' | 'taken' };

/**
 * Whether the claim is still this sender's: the EHR's current version is the claim version. Re-read before every
 * retry, so a sender never keeps retrying a claim that reconciliation has taken over (docs/decisions/059).
 */
async function claimCheck(
  ctx: RelayContext,
  claim: Communication,
): Promise<'ours' | 'unknown' | { superseded: 'sent' | 'taken' }> {
  let current: Communication;
  try {
    current = await ctx.fhir.read('Communication', claim.id ?? '');
  } catch {
    return 'unknown';
  }
  if (current.meta?.versionId === claim.meta?.versionId) return 'ours';
  const recordedForThisAttempt =
    sidOf(current) !== undefined && sendAttemptOf(current) === sendAttemptOf(claim) && current.status !== 'preparation';
  return { superseded: recordedForThisAttempt ? 'sent' : 'taken' };
}

/**
 * Twilio call with bounded exponential backoff on 429/5xx/network; an ambiguous failure is looked up before a retry.
 * Everything happens before a hard deadline (`sendDeadlineMs` after the claim, at most half the claim timeout): no
 * Twilio request starts after it, so reconciliation never takes over a claim whose sender may still send.
 */
async function sendWithRetry(ctx: RelayContext, claim: Communication, to: string): Promise<SendResult> {
  const { attempts, baseDelayMs, maxDelayMs } = ctx.settings.sendRetry;
  const id = claim.id ?? '';
  const deadline = ctx.clock.now().getTime() + ctx.settings.sendDeadlineMs;
  const remaining = (): number => deadline - ctx.clock.now().getTime();
  const callback = statusCallbackUrl(ctx, id, sendAttemptOf(claim));
  let ambiguous = false;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (attempt > 1) {
      if (remaining() <= 0) break;
      const check = await claimCheck(ctx, claim);
      if (check === 'unknown') break;
      if (check !== 'ours') return { kind: 'superseded', outcome: check.superseded };
      if (ambiguous) {
        const copy = await findSentCopy(ctx, claim, to).catch(() => undefined);
        if (copy) return { kind: 'accepted', message: copy };
      }
      if (remaining() <= 0) break;
    }
    await ctx.faults('before-twilio', id);
    try {
      const message = await ctx.sms.send({ to, body: bodyOf(claim), statusCallback: callback });
      return { kind: 'accepted', message };
    } catch (err) {
      const error =
        err instanceof SmsGatewayError
          ? err
          : new SmsGatewayError('Twilio call failed', { status: 0, ambiguous: true, cause: err });
      if (classifySendFailure(error).action !== 'retry') return { kind: 'rejected', error };
      ambiguous ||= error.ambiguous;
      ctx.log.warn(
        { communication: id, status: error.status, code: error.code, attempt },
        'Twilio send failed; will retry',
      );
      if (attempt < attempts) {
        const backoff = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
        const pause = backoff / 2 + Math.random() * (backoff / 2);
        if (pause >= remaining()) break;
        await ctx.clock.sleep(pause);
      }
    }
  }
  if (ambiguous) {
    // Looking is not sending: the log is read even after the deadline; recordAccepted writes only on this attempt.
    const copy = await findSentCopy(ctx, claim, to).catch(() => undefined);
    if (copy) return { kind: 'accepted', message: copy };
  }
  ctx.log.warn({ communication: id }, 'Twilio unavailable; the claim is left for reconciliation');
  return { kind: 'unresolved' };
}

/**
 * Records the SID, send time and status; recomputed on a fresh version if a status callback got there first. Only on
 * the claim's own attempt: a message retried or claimed again since is left alone (docs/decisions/058).
 */
export async function recordAccepted(ctx: RelayContext, claim: Communication, message: SmsMessage): Promise<void> {
  const { resource } = await updateVersioned(ctx.fhir, claim, (current) => {
    if (current.status === 'preparation' || sendAttemptOf(current) !== sendAttemptOf(claim)) {
      ctx.log.warn(
        { communication: current.id, sid: message.sid },
        'the message moved on to another attempt; not recorded',
      );
      return undefined;
    }
    const next = accepted(current, message, ctx.clock.now());
    if (!next) ctx.log.error({ communication: current.id, sid: message.sid }, 'a different SID is already recorded');
    return next;
  });
  ledgerOf(ctx).remember(resource);
}

async function stopAfterRejection(
  ctx: RelayContext,
  claim: Communication,
  error: SmsGatewayError,
  to: string,
  recipientRef: string | undefined,
): Promise<SendOutcome> {
  const failure = classifySendFailure(error);
  const detail = {
    code: error.code ?? error.status,
    message: twilioErrorText(error.code ?? error.status, error.message),
  };
  const subject = claim.subject?.reference;
  let reason: 'consent-denied' | 'twilio-rejected' = 'twilio-rejected';
  let text = `Twilio refused the message: ${detail.message} (Twilio ${detail.code}).`;
  if (failure.action === 'opted-out') {
    reason = 'consent-denied';
    text = 'The number replied STOP to the practice; Twilio will not deliver until it texts START.';
    if (subject?.startsWith('Patient/')) {
      await ctx.fhir.create(
        smsConsent({
          patient: subject,
          decision: 'deny',
          now: ctx.clock.now(),
          organization: ctx.settings.practiceOrganization,
          sourceUrl: `Communication/${claim.id ?? ''}`,
          sourceTitle: 'Twilio 21610 (the number replied STOP)',
        }),
      );
    }
  } else if (failure.action === 'flag-number' && recipientRef) {
    await flagNumber(ctx, recipientRef, to, failure.flag);
  }
  const { resource } = await updateVersioned(ctx.fhir, claim, (current) => stopped(current, reason, text, detail));
  ledgerOf(ctx).remember(resource);
  ctx.log.info({ communication: claim.id, code: detail.code, reason }, 'outbound stopped after Twilio refused it');
  return 'stopped';
}
