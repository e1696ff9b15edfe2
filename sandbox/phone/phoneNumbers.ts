/**
 * Phone numbers as the simulator compares them: E.164 after libphonenumber-js normalisation (DESIGN.md, "Data
 * conventions"). The REST API itself is strict, like Twilio's documented contract: `To` and `From` must be E.164.
 */
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

const E164 = /^\+[1-9]\d{1,14}$/;

/** A number in any common written form, as E.164; undefined when it is not a valid number. */
export function normalizeToE164(written: string, defaultCountry: CountryCode = 'US'): string | undefined {
  const parsed = parsePhoneNumberFromString(written.trim(), defaultCountry);
  return parsed?.isValid() ? parsed.number : undefined;
}

// Parsing is the costly part of a send; the same few numbers come back again and again, so results are kept.
const parsedE164 = new Map<string, { valid: boolean; country: CountryCode | undefined }>();

function parseE164(value: string): { valid: boolean; country: CountryCode | undefined } {
  let parsed = parsedE164.get(value);
  if (parsed === undefined) {
    const number = E164.test(value) ? parsePhoneNumberFromString(value) : undefined;
    parsed = { valid: number?.isValid() === true, country: number?.country };
    if (parsedE164.size >= 10_000) parsedE164.clear();
    parsedE164.set(value, parsed);
  }
  return parsed;
}

/** Whether `value` is a valid number written in E.164 (`+` and digits only). */
export function isValidE164(value: string): boolean {
  return parseE164(value).valid;
}

/** ISO country of an E.164 number (for Twilio's geographic permissions), or undefined. */
export function countryOf(e164: string): CountryCode | undefined {
  return parseE164(e164).country;
}

/** A number as people read it, e.g. `+1 201 555 0123`. */
export function formatForDisplay(e164: string): string {
  return parsePhoneNumberFromString(e164)?.formatInternational() ?? e164;
}
