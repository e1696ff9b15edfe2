/**
 * The doctor's Twilio checks: the credentials work (the relay lists the account's messages with the twilio SDK, as
 * reconciliation does), the auth token that signs webhooks is right, and the practice number sends its incoming
 * messages to the relay (https://www.twilio.com/docs/phone-numbers/api/incomingphonenumber-resource). The SDK calls
 * happen in runDoctor.ts; the verdicts here are pure.
 */
import { fail, pass, warn, type CheckResult } from './checkResult';

/** What a Twilio API call ended with. */
export type TwilioCallResult = { ok: true } | { ok: false; status: number; code?: number; message: string };

/** The verdict on a credentials probe (pure). `which` names the variables the probe used. */
export function checkTwilioCredentials(check: string, which: string, result: TwilioCallResult): CheckResult {
  if (result.ok) return pass(check, `${which}: the account's messages can be listed`);
  if (result.status === 401 || result.status === 403 || result.code === 20003) {
    return fail(
      check,
      `Twilio refused ${which} (${result.status}${result.code ? `, error ${result.code}` : ''})`,
      `Copy ${which} again from the Twilio console (Account Info); an API key must belong to TWILIO_ACCOUNT_SID.`,
    );
  }
  return fail(
    check,
    `Twilio could not be asked (${result.status || 'no answer'}: ${result.message})`,
    'Check that this host can reach https://api.twilio.com (proxy, firewall), then run the doctor again.',
  );
}

export interface TwilioNumberSettings {
  smsUrl?: string | null;
  smsApplicationSid?: string | null;
}

/** The verdict on the practice number's incoming-message settings (pure). */
export function checkTwilioNumber(
  number: TwilioNumberSettings | undefined,
  options: { fromNumber: string; publicBaseUrl: string; messagingServiceSid?: string },
): CheckResult {
  const check = 'Twilio number';
  const expected = `${options.publicBaseUrl}/twilio/inbound`;
  if (!number) {
    return fail(
      check,
      `${options.fromNumber} is not a phone number of this Twilio account`,
      'Set TWILIO_FROM_NUMBER to one of the account’s numbers (Phone Numbers → Active numbers), in E.164.',
    );
  }
  if (number.smsUrl === expected && !number.smsApplicationSid) return pass(check, `incoming messages → ${expected}`);
  const service = options.messagingServiceSid
    ? `With a Messaging Service, its Integration setting decides: "Send a webhook" to ${expected}, or "Defer to sender’s webhook". `
    : 'If the number is in a Messaging Service, its Integration setting decides instead. ';
  return warn(
    check,
    number.smsApplicationSid
      ? `incoming messages go to TwiML app ${number.smsApplicationSid}`
      : `incoming messages go to ${number.smsUrl || '(nowhere)'}`,
    `${service}Otherwise set "A message comes in" to Webhook, HTTP POST, ${expected}.`,
  );
}
