/**
 * Retry of a failed outbound message: the same Communication goes back to `preparation` by a versioned update
 * (`If-Match`), with the send-attempt extension incremented and the last attempt's outcome cleared (history keeps it).
 * Its Twilio SID moves to a previous-attempt identifier (`use: old`), so the relay never takes that SMS — a late
 * callback, a copy in Twilio's log — for the new attempt. Never a second Communication, so the thread and the EHR
 * show one message. docs/decisions/044-delivery-and-retry.md, 058-retry-keeps-earlier-attempts.md
 */
import type { Communication, Identifier } from '@medplum/fhirtypes';
import { EXTENSIONS, IDENTIFIER_SYSTEMS } from '../../fhir-profiles/vocabulary';
import { sendAttempt } from './messageModel';

/** Extensions that describe one attempt and must not leak into the next. */
const PER_ATTEMPT = new Set<string>([
  EXTENSIONS.twilioStatus,
  EXTENSIONS.twilioError,
  EXTENSIONS.sendAttempt,
  EXTENSIONS.claimedAt,
]);

/** The next version of a failed message: pending again, attempt + 1, the last attempt's SID kept as old. */
export function retryVersion(resource: Communication): Communication {
  const { statusReason: _reason, sent: _sent, identifier: _identifier, ...rest } = resource;
  const identifier = (resource.identifier ?? []).flatMap((i): Identifier[] => {
    if (i.system !== IDENTIFIER_SYSTEMS.twilioMessageSid) return [i];
    return i.value ? [{ use: 'old', system: IDENTIFIER_SYSTEMS.previousTwilioMessageSid, value: i.value }] : [];
  });
  return {
    ...rest,
    status: 'preparation',
    ...(identifier.length > 0 ? { identifier } : {}),
    extension: [
      ...(resource.extension ?? []).filter((e) => !PER_ATTEMPT.has(e.url)),
      { url: EXTENSIONS.sendAttempt, valuePositiveInt: sendAttempt(resource) + 1 },
    ],
  };
}
