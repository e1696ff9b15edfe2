/**
 * The relay's JSON logger (pino). What the relay logs is ids, statuses and counts, never names, numbers or bodies;
 * the redaction below is a second line of defence should someone log one anyway: every log object is walked at any
 * depth, fields that hold PHI (FHIR HumanName, ContactPoint, address, birth date, message text; Twilio's form
 * fields) are censored, and E.164 numbers are censored in every string, the message included (docs/decisions/057, 016).
 */
import pino, { type DestinationStream, type Logger } from 'pino';

const CENSOR = '[redacted]';

/** Header paths pino censors (the request serializer drops headers; this is for anyone who logs them). */
export const REDACTED_PATHS = ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-twilio-signature"]'];

/**
 * Keys whose values are PHI wherever they appear, compared lower-case: FHIR Patient/RelatedPerson/Practitioner fields,
 * Communication payload, Twilio's webhook and REST fields (Body, From, To, ProfileName).
 */
export const PHI_KEYS: ReadonlySet<string> = new Set([
  'name',
  'given',
  'family',
  'prefix',
  'suffix',
  'telecom',
  'phone',
  'phonenumber',
  'mobile',
  'email',
  'address',
  'birthdate',
  'body',
  'from',
  'to',
  'profilename',
  'payload',
  'contentstring',
  'contentattachment',
  'note',
  'text',
]);

/** Error descriptions keep their `name` (the error's kind, e.g. `FhirError`). */
const ERROR_KEYS = new Set(['err', 'error']);
const E164 = /\+[1-9]\d{7,14}/g;
const MAX_DEPTH = 12;

/** `text` with every E.164 number censored. */
function scrubText(text: string): string {
  return text.replace(E164, CENSOR);
}

/** A ContactPoint (or anything shaped like one): its `value` is a number or an address. */
function isContactPoint(value: Record<string, unknown>): boolean {
  return typeof value.system === 'string' && 'value' in value;
}

/** A copy of `value` with PHI censored at any depth (cycles and depth beyond MAX_DEPTH are cut). */
export function stripPhi(value: unknown, depth = 0, seen = new WeakSet<object>(), inError = false): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (typeof value !== 'object' || value === null) return value;
  if (seen.has(value) || depth > MAX_DEPTH) return '[cut]';
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((item) => stripPhi(item, depth + 1, seen, inError));
    if (value instanceof Error) {
      // Error messages may quote a number or a search; keep the kind only (describeError does the same).
      const record = value as Error & { status?: unknown; code?: unknown };
      return {
        name: record.name,
        ...(typeof record.status === 'number' ? { status: record.status } : {}),
        ...(typeof record.code === 'number' || typeof record.code === 'string' ? { code: record.code } : {}),
      };
    }
    const record = value as Record<string, unknown>;
    const contactPoint = isContactPoint(record);
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(record)) {
      const lower = key.toLowerCase();
      const keepName = inError && lower === 'name' && typeof item === 'string';
      if ((PHI_KEYS.has(lower) && !keepName) || (contactPoint && key === 'value')) out[key] = CENSOR;
      else out[key] = stripPhi(item, depth + 1, seen, inError || ERROR_KEYS.has(lower));
    }
    return out;
  } finally {
    seen.delete(value);
  }
}

/** A pino logger at `level`, writing to `destination` (stdout by default). */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'charttext-relay' },
      redact: { paths: REDACTED_PATHS, censor: CENSOR },
      formatters: { log: (object) => stripPhi(object) as Record<string, unknown> },
      hooks: {
        logMethod(args, method) {
          method.apply(
            this,
            args.map((arg) => (typeof arg === 'string' ? scrubText(arg) : arg)) as Parameters<typeof method>,
          );
        },
      },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
