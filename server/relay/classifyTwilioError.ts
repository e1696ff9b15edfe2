/**
 * What a Twilio error means for an outbound message (https://www.twilio.com/docs/api/errors):
 * try again, or stop it — and whether the patient's consent or phone number must be recorded.
 */
import { CODES } from '../../fhir-profiles/vocabulary';

export type NumberFlagCode = (typeof CODES.numberFlag)[keyof typeof CODES.numberFlag];

export type SendFailure =
  /** 429 Too Many Requests, 5xx, network: try again after a pause. */
  | { action: 'retry' }
  /** 21610: the recipient replied STOP to this number; Twilio will not send until START. */
  | { action: 'opted-out' }
  /** 21211, 21614, …: the number cannot take SMS; flag the ContactPoint so the next send skips it. */
  | { action: 'flag-number'; flag: NumberFlagCode }
  /** Any other rejection: stop with Twilio's error. */
  | { action: 'stop' };

const FLAGGING: Record<number, NumberFlagCode> = {
  21211: CODES.numberFlag.invalid, // Invalid 'To' Phone Number
  21614: CODES.numberFlag.notMobile, // 'To' number is not a valid mobile number
  21612: CODES.numberFlag.notMobile, // The 'To' phone number is not currently reachable via SMS
  21217: CODES.numberFlag.invalid, // Phone number does not appear to be valid
};

/** Classifies the failure of a send by HTTP status and Twilio error code. */
export function classifySendFailure(failure: { status: number; code?: number }): SendFailure {
  if (failure.status === 0 || failure.status === 429 || failure.status >= 500) return { action: 'retry' };
  if (failure.code === 20429) return { action: 'retry' };
  if (failure.code === 21610) return { action: 'opted-out' };
  const flag = failure.code === undefined ? undefined : FLAGGING[failure.code];
  if (flag) return { action: 'flag-number', flag };
  return { action: 'stop' };
}

/** The flag a delivery failure puts on the number (30006: landline or unreachable carrier), if any. */
export function deliveryFailureFlag(errorCode: number | undefined): NumberFlagCode | undefined {
  if (errorCode === 30006) return CODES.numberFlag.landline;
  return undefined;
}

const TEXTS: Record<number, string> = {
  21211: "Invalid 'To' phone number",
  21408: 'Permission to send an SMS has not been enabled for the region indicated by the To number',
  21610: 'Attempt to send to unsubscribed recipient',
  21612: "The 'To' phone number is not currently reachable via SMS",
  21614: "'To' number is not a valid mobile number",
  21617: 'The concatenated message body exceeds the 1600 character limit',
  30003: 'Unreachable destination handset',
  30004: 'Message blocked',
  30005: 'Unknown destination handset',
  30006: 'Landline or unreachable carrier',
  30007: 'Message filtered',
  30008: 'Unknown error',
  30034: 'Message from an unregistered number',
};

/** Twilio's short description of an error code, for staff reading `statusReason`. */
export function twilioErrorText(code: number, given?: string): string {
  return TEXTS[code] ?? (given && given.length > 0 ? given : `Twilio error ${code}`);
}
