/**
 * Phone numbers as charts hold them and as Twilio sends them. Comparison is always in E.164 after
 * normalisation (libphonenumber-js); searches try the written forms an EHR is likely to hold, because FHIR token
 * search matches the stored string exactly (DESIGN.md, "Data conventions").
 */
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

const parsed = new Map<string, string | undefined>();
const MAX_CACHED = 20_000;

/** The E.164 form of `value` read with `region` as the default country, or undefined when it is not a valid number. */
export function toE164(value: string | undefined, region: CountryCode): string | undefined {
  if (!value) return undefined;
  // Parsing costs ~0.1 ms and the same few thousand numbers come back all day: remember them (bounded).
  const key = `${region}|${value}`;
  if (parsed.has(key)) return parsed.get(key);
  if (parsed.size >= MAX_CACHED) parsed.clear();
  const e164 = parseE164(value, region);
  parsed.set(key, e164);
  return e164;
}

function parseE164(value: string, region: CountryCode): string | undefined {
  const cleaned = value.trim().replace(/^tel:/i, '');
  if (cleaned.length === 0 || cleaned.length > 40) return undefined;
  const parsed = parsePhoneNumberFromString(cleaned, region);
  if (!parsed?.isValid()) return undefined;
  return parsed.number;
}

/** The line type libphonenumber knows for a number, when its numbering plan tells (NANP numbers mostly do not). */
export function numberLineType(e164: string): 'mobile' | 'fixed-line' | 'unknown' {
  const type = parsePhoneNumberFromString(e164)?.getType();
  if (type === 'MOBILE') return 'mobile';
  if (type === 'FIXED_LINE') return 'fixed-line';
  return 'unknown';
}

const writtenCache = new Map<string, readonly string[]>();

/** The ways an EHR may have written `e164` (E.164, national, dashed, dotted, bare digits, with country code, tel:). */
export function writtenForms(e164: string): string[] {
  // Every inbound text searches these; building them parses the number again (~0.1–0.3 ms): remember them (bounded).
  let known = writtenCache.get(e164);
  if (!known) {
    if (writtenCache.size >= MAX_CACHED) writtenCache.clear();
    known = buildWrittenForms(e164);
    writtenCache.set(e164, known);
  }
  return [...known];
}

function buildWrittenForms(e164: string): string[] {
  const parsed = parsePhoneNumberFromString(e164);
  if (!parsed) return [e164];
  const national = String(parsed.nationalNumber);
  const cc = String(parsed.countryCallingCode);
  const forms = new Set<string>([
    e164,
    `${cc}${national}`,
    national,
    parsed.formatNational(),
    parsed.formatInternational(),
    `tel:${e164}`,
  ]);
  if (cc === '1' && national.length === 10) {
    const [a, b, c] = [national.slice(0, 3), national.slice(3, 6), national.slice(6)];
    for (const local of [`(${a}) ${b}-${c}`, `(${a})${b}-${c}`, `${a}-${b}-${c}`, `${a}.${b}.${c}`, `${a} ${b} ${c}`]) {
      forms.add(local);
    }
    for (const prefix of ['+1 ', '+1-', '1-', '1 ', '+1.', '1.']) {
      const separator = prefix.endsWith('.') ? '.' : prefix.endsWith('-') ? '-' : ' ';
      forms.add(`${prefix}${a}${separator}${b}${separator}${c}`);
    }
    forms.add(`+1 (${a}) ${b}-${c}`);
    forms.add(`1 (${a}) ${b}-${c}`);
    forms.add(`+1 ${a}-${b}-${c}`);
  }
  return [...forms];
}
