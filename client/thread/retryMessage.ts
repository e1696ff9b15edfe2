/**
 * Retry of a failed outbound message: the same Communication goes back to `preparation` by a versioned update
 * (`If-Match`), with the send-attempt extension incremented and the last attempt's Twilio SID and outcome cleared
 * (history keeps them). Never a second Communication, so the thread and the EHR show one message.
 * docs/decisions/044-delivery-and-retry.md
 */
import type { Communication } from '@medplum/fhirtypes';
import { EXTENSIONS, IDENTIFIER_SYSTEMS } from '../../fhir-profiles/vocabulary';
import { sendAttempt } from './messageModel';

/** Extensions that describe one attempt and must not leak into the next. */
const PER_ATTEMPT = new Set<string>([
  EXTENSIONS.twilioStatus,
  EXTENSIONS.twilioError,
  EXTENSIONS.sendAttempt,
  EXTENSIONS.claimedAt,
]);

/** The next version of a failed message: pending again, attempt + 1. */
export function retryVersion(resource: Communication): Communication {
  const { statusReason: _reason, sent: _sent, ...rest } = resource;
  const identifier = (resource.identifier ?? []).filter((i) => i.system !== IDENTIFIER_SYSTEMS.twilioMessageSid);
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
