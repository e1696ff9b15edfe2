/**
 * The claim: a versioned update (`If-Match`, https://hl7.org/fhir/R4/http.html#concurrency) from `preparation` to
 * `in-progress` with the claim time, attempt and destination. Whoever's update succeeds sends; a 412 means another
 * relay (or a retried sweep) already has the message.
 */
import type { Communication } from '@medplum/fhirtypes';
import type { RelayContext } from './context';
import { isVersionConflict } from './fhirStore';
import { claimed } from './recordSendResult';

/** Claims the message; the claimed version, or undefined when another writer got there first. */
export async function claimOutbound(
  ctx: RelayContext,
  communication: Communication,
  toNumber: string,
): Promise<Communication | undefined> {
  try {
    return await ctx.fhir.update(claimed(communication, ctx.clock.now(), toNumber), {
      ifMatch: communication.meta?.versionId,
    });
  } catch (err) {
    if (isVersionConflict(err)) return undefined;
    throw err;
  }
}

/**
 * Twilio's StatusCallback for a message: the relay's public URL with the Communication id as an opaque query value
 * (server-assigned, no PHI), so a callback can find the message even before its SID is recorded.
 */
export function statusCallbackUrl(ctx: RelayContext, communicationId: string): string {
  return `${ctx.settings.publicBaseUrl}/twilio/status?c=${encodeURIComponent(communicationId)}`;
}
