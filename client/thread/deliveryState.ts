/**
 * Where an outbound message is on its way to the patient, in plain words: from the Communication's `status`,
 * `statusReason` and the raw Twilio status extension (DESIGN.md "Status mapping"; docs/decisions/044-delivery-and-retry.md).
 */
import type { Communication, Extension } from '@medplum/fhirtypes';
import {
  CODE_SYSTEMS,
  CODES,
  codeFrom,
  EXTENSIONS,
  EXTERNAL_SYSTEMS,
  TWILIO_MESSAGE_STATUS,
  type StopReason,
} from '../../fhir-profiles/vocabulary';

export type DeliveryKind =
  /** Optimistic: the EHR has not confirmed the create yet. */
  | 'saving'
  /** The create never reached the EHR (network); Retry re-sends the same create. */
  | 'unsaved'
  /** Saved, waiting for the relay (`preparation`). */
  | 'pending'
  | 'sending'
  | 'sent'
  | 'delivered'
  | 'failed'
  | 'undelivered';

export interface Delivery {
  kind: DeliveryKind;
  /** Short label next to the message. */
  label: string;
  /** Why it failed, in words a clinician understands. */
  reason?: string;
  /** A final failure that a new attempt could fix. */
  canRetry: boolean;
}

/** Twilio error codes clinicians meet, in plain words. https://www.twilio.com/docs/api/errors */
const TWILIO_ERRORS: Record<number, string> = {
  21211: 'The number on file is not a valid phone number.',
  21408: 'Texts to this region are not enabled for the practice.',
  21610: 'The patient has opted out of texts (replied STOP).',
  21614: 'The number on file is not a mobile number.',
  21617: 'The message is longer than 1,600 characters.',
  30001: 'The SMS provider was overloaded. Try again.',
  30002: 'The practice’s SMS account is suspended.',
  30003: 'The patient’s phone is off or out of reach.',
  30004: 'The patient’s phone blocks these texts.',
  30005: 'The number is unknown or no longer in service.',
  30006: 'The number is a landline or cannot receive texts.',
  30007: 'The carrier filtered the message as possible spam.',
  30008: 'The carrier could not deliver it (unknown error).',
  30032: 'The practice number is not yet verified for texting.',
  30034: 'The practice number is not yet registered for texting.',
};

const STOP_REASONS: Record<StopReason, string> = {
  [CODES.stopReason.noSmsNumber]: 'The patient has no mobile number on file.',
  [CODES.stopReason.consentDenied]: 'The patient has opted out of texts.',
  [CODES.stopReason.twilioRejected]: 'The SMS provider rejected the message.',
  [CODES.stopReason.deliveryFailed]: 'The phone carrier could not deliver it.',
  [CODES.stopReason.canceled]: 'The message was canceled before it was sent.',
};

function extension(resource: Communication, url: string): Extension | undefined {
  return resource.extension?.find((e) => e.url === url);
}

/** The Twilio error code recorded on the message, from the twilio-error extension or statusReason. */
export function twilioErrorCode(resource: Communication): number | undefined {
  const fromExtension = extension(resource, EXTENSIONS.twilioError)?.extension?.find((e) => e.url === 'code');
  if (typeof fromExtension?.valueInteger === 'number') return fromExtension.valueInteger;
  const fromReason = codeFrom(resource.statusReason, EXTERNAL_SYSTEMS.twilioError);
  return fromReason && /^\d+$/.test(fromReason) ? Number(fromReason) : undefined;
}

function failureReason(resource: Communication): string | undefined {
  const code = twilioErrorCode(resource);
  if (code !== undefined && TWILIO_ERRORS[code]) return TWILIO_ERRORS[code];
  const stop = codeFrom(resource.statusReason, CODE_SYSTEMS.stopReason) as StopReason | undefined;
  if (stop && STOP_REASONS[stop]) {
    const detail = resource.statusReason?.text;
    return detail && stop === CODES.stopReason.twilioRejected ? `${STOP_REASONS[stop]} ${detail}` : STOP_REASONS[stop];
  }
  if (resource.statusReason?.text) return resource.statusReason.text;
  return code !== undefined ? `SMS error ${code}.` : undefined;
}

/** True when the failure is the patient's opt-out: retrying cannot help. */
function optedOut(resource: Communication): boolean {
  return (
    twilioErrorCode(resource) === 21610 ||
    codeFrom(resource.statusReason, CODE_SYSTEMS.stopReason) === CODES.stopReason.consentDenied
  );
}

/** The delivery state of a saved outbound message. */
export function deliveryOf(resource: Communication): Delivery {
  const twilio = extension(resource, EXTENSIONS.twilioStatus)?.valueCode;
  switch (resource.status) {
    case 'preparation':
    case 'on-hold':
      return { kind: 'pending', label: 'Waiting to send', canRetry: false };
    case 'in-progress':
    case 'unknown':
      return twilio === TWILIO_MESSAGE_STATUS.sent
        ? { kind: 'sent', label: 'Sent', canRetry: false }
        : { kind: 'sending', label: 'Sending…', canRetry: false };
    case 'completed':
      return {
        kind: 'delivered',
        label: twilio === TWILIO_MESSAGE_STATUS.read ? 'Read' : 'Delivered',
        canRetry: false,
      };
    case 'stopped':
    case 'not-done':
    case 'entered-in-error': {
      const undelivered = twilio === TWILIO_MESSAGE_STATUS.undelivered;
      const reason = failureReason(resource);
      return {
        kind: undelivered ? 'undelivered' : 'failed',
        label: undelivered ? 'Not delivered' : 'Not sent',
        ...(reason ? { reason } : {}),
        canRetry: resource.status !== 'entered-in-error' && !optedOut(resource),
      };
    }
  }
}
