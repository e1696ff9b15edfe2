/**
 * Where an outbound SMS goes: the recipient's own `telecom`, never a number chosen by the client (DESIGN.md, "Send").
 * A ContactPoint can take SMS when its system is `sms`, or `phone` with use `mobile`; one flagged by the relay after a
 * Twilio rejection (EXTENSIONS.numberFlag), one with use `old` or an ended period is skipped.
 * https://hl7.org/fhir/R4/datatypes.html#ContactPoint
 */
import type { ContactPoint } from '@medplum/fhirtypes';
import type { CountryCode } from 'libphonenumber-js';
import { EXTENSIONS } from '../../fhir-profiles/vocabulary';
import { toE164 } from './normalisePhone';

export type Destination = { ok: true; e164: string; telecomIndex: number } | { ok: false; reason: string };

/** Lower is better: SMS-capable mobile first, then any mobile phone, then any SMS contact point. */
function preference(point: ContactPoint): number | undefined {
  if (point.system === 'sms' && point.use === 'mobile') return 0;
  if (point.system === 'phone' && point.use === 'mobile') return 1;
  if (point.system === 'sms') return 2;
  return undefined;
}

function usable(point: ContactPoint, now: Date): boolean {
  if (point.use === 'old') return false;
  if (point.extension?.some((extension) => extension.url === EXTENSIONS.numberFlag)) return false;
  const end = point.period?.end;
  return !(end && Date.parse(end) < now.getTime());
}

/** Picks the number an SMS to this person should go to, or says why there is none. */
export function resolveDestination(
  telecom: readonly ContactPoint[] | undefined,
  region: CountryCode,
  now: Date,
): Destination {
  const candidates: { e164: string; index: number; preference: number; rank: number }[] = [];
  let flaggedOrInvalid = 0;
  (telecom ?? []).forEach((point, index) => {
    const level = preference(point);
    if (level === undefined) return;
    const e164 = toE164(point.value, region);
    if (!usable(point, now) || !e164) {
      flaggedOrInvalid++;
      return;
    }
    candidates.push({ e164, index, preference: level, rank: point.rank ?? Number.MAX_SAFE_INTEGER });
  });
  candidates.sort((a, b) => a.preference - b.preference || a.rank - b.rank || a.index - b.index);
  const best = candidates[0];
  if (best) return { ok: true, e164: best.e164, telecomIndex: best.index };
  if (flaggedOrInvalid > 0) {
    return { ok: false, reason: 'The recipient has no mobile number that can take SMS (flagged, ended or invalid).' };
  }
  return { ok: false, reason: 'The recipient has no mobile or SMS number on file.' };
}
