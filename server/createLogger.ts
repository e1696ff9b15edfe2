/**
 * The relay's JSON logger (pino). What the relay logs is ids, statuses and counts, never names, numbers or bodies;
 * the redaction list below is a second line of defence for fields that must never appear if someone adds one.
 */
import pino, { type DestinationStream, type Logger } from 'pino';

/** Field paths censored wherever they appear in a log line. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-twilio-signature"]',
  '*.body',
  '*.Body',
  '*.from',
  '*.From',
  '*.to',
  '*.To',
  '*.phone',
  '*.telecom',
  '*.name',
  '*.given',
  '*.family',
  '*.payload',
];

/** A pino logger at `level`, writing to `destination` (stdout by default). */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'charttext-relay' },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
