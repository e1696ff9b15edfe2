/**
 * The claim: a versioned update (`If-Match`, https://hl7.org/fhir/R4/http.html#concurrency) from `preparation` to
 * `in-progress` with the claim time, attempt and destination. Whoever's update succeeds sends; a 412 means another
 * relay (or a retried sweep) already has the message.
 */
import { badRequest, OperationOutcomeError } from '@medplum/core';
import type { Communication } from '@medplum/fhirtypes';
import type { RelayContext } from './context';
import { isVersionConflict } from './fhirStore';
import { ledgerOf } from './outboundLedger';
import { claimed } from './recordSendResult';

/** Claims the message; the claimed version, or undefined when another writer got there first. */
export async function claimOutbound(
  ctx: RelayContext,
  communication: Communication,
  toNumber: string,
): Promise<Communication | undefined> {
  requireVersion(communication);
  try {
    const claim = await ctx.fhir.update(claimed(communication, ctx.clock.now(), toNumber), {
      ifMatch: communication.meta?.versionId,
    });
    ledgerOf(ctx).remember(claim);
    return claim;
  } catch (err) {
    if (isVersionConflict(err)) return undefined;
    throw err;
  }
}

/** Refuses to write without a version: an update without If-Match could let two relays send one message. */
export function requireVersion(communication: Communication): void {
  if (!communication.meta?.versionId) {
    throw new OperationOutcomeError(
      badRequest(
        'The EHR returned the Communication without meta.versionId; the relay needs versioned updates (If-Match)',
      ),
    );
  }
}

/**
 * Twilio's StatusCallback for a message: the relay's public URL with the Communication id and the send attempt as
 * opaque query values (server-assigned, no PHI), so a callback can find the message before its SID is recorded —
 * and a late callback of an earlier attempt (before a Retry) is told apart (docs/decisions/058).
 */
export function statusCallbackUrl(ctx: RelayContext, communicationId: string, attempt: number): string {
  return `${ctx.settings.publicBaseUrl}/twilio/status?c=${encodeURIComponent(communicationId)}&a=${attempt}`;
}
