/**
 * Twilio's error dictionary, as far as the phone simulator uses it, and the error body Twilio's REST API returns
 * (`code`, `message`, `more_info`, `status`). See https://www.twilio.com/docs/api/errors.
 * Messages never repeat a phone number or a body: relays log these texts, and numbers are PHI here.
 */

/** Error codes the simulator can return from the REST API or report on a message. */
export const TWILIO_ERRORS = {
  20001: { status: 400, message: 'Invalid parameter' },
  20003: { status: 401, message: 'Authenticate' },
  20404: { status: 404, message: 'The requested resource was not found' },
  20429: { status: 429, message: 'Too Many Requests' },
  20500: { status: 500, message: 'Internal Server Error' },
  20503: { status: 503, message: 'Service Unavailable' },
  21211: { status: 400, message: "Invalid 'To' Phone Number" },
  21212: { status: 400, message: "Invalid 'From' Phone Number" },
  21266: { status: 400, message: "'To' and 'From' number cannot be the same" },
  21408: {
    status: 400,
    message: "Permission to send an SMS has not been enabled for the region indicated by the 'To' number",
  },
  21602: { status: 400, message: 'Message body is required.' },
  21603: { status: 400, message: "A 'From' phone number is required." },
  21604: { status: 400, message: "A 'To' phone number is required." },
  21606: {
    status: 400,
    message: "The 'From' phone number provided is not a valid message-capable Twilio phone number.",
  },
  21609: { status: 400, message: "Invalid 'StatusCallback'" },
  21610: { status: 400, message: 'Attempt to send to unsubscribed recipient' },
  21614: { status: 400, message: "'To' number is not a valid mobile number" },
  21617: { status: 400, message: 'The concatenated message body exceeds the 1600 character limit.' },
  21620: { status: 400, message: 'Invalid media URL(s)' },
  21623: { status: 400, message: 'Number of media files exceeds allowed limit' },
  21659: { status: 400, message: "'From' is not a Twilio phone number or Short Code country mismatch" },
  21701: { status: 400, message: 'The Messaging Service does not exist' },
  30001: { status: 400, message: 'Queue overflow' },
  30003: { status: 400, message: 'Unreachable destination handset' },
  30005: { status: 400, message: 'Unknown destination handset' },
  30006: { status: 400, message: 'Landline or unreachable carrier' },
  30007: { status: 400, message: 'Message filtered' },
  30008: { status: 400, message: 'Unknown error' },
} as const satisfies Record<number, { status: number; message: string }>;

export type TwilioErrorCode = keyof typeof TWILIO_ERRORS;

/** The JSON body of a Twilio REST error response. */
export interface TwilioErrorBody {
  code: number;
  message: string;
  more_info: string;
  status: number;
}

/** A Twilio REST error: thrown by the simulator's domain code, turned into a response by the REST adapter. */
export class TwilioApiError extends Error {
  readonly code: number;
  readonly status: number;

  constructor(code: number, status?: number, message?: string) {
    const known = (TWILIO_ERRORS as Record<number, { status: number; message: string } | undefined>)[code];
    super(message ?? known?.message ?? `Twilio error ${code}`);
    this.name = 'TwilioApiError';
    this.code = code;
    this.status = status ?? known?.status ?? 400;
  }

  /** The body Twilio sends with this error. */
  toBody(): TwilioErrorBody {
    return { code: this.code, message: this.message, more_info: moreInfoUrl(this.code), status: this.status };
  }
}

/** Twilio's documentation page for an error code, as it appears in `more_info`. */
export function moreInfoUrl(code: number): string {
  return `https://www.twilio.com/docs/errors/${code}`;
}

/** The dictionary text for a delivery error code (30xxx, 21610, …), or a generic text. */
export function errorMessageFor(code: number): string {
  const known = (TWILIO_ERRORS as Record<number, { message: string } | undefined>)[code];
  return known?.message ?? `Twilio error ${code}`;
}
