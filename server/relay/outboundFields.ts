/**
 * Reading and writing the relay's fields on a Communication (identifier and extensions from
 * fhir-profiles/vocabulary.ts), without mutating the input.
 */
import type { Communication, Extension, Identifier } from '@medplum/fhirtypes';
import { EXTENSIONS, IDENTIFIER_SYSTEMS } from '../../fhir-profiles/vocabulary';
import { isTwilioStatus, type TwilioStatus } from './mapTwilioStatus';

/** The Twilio SID recorded on a Communication, if any. */
export function sidOf(communication: Communication): string | undefined {
  return communication.identifier?.find((identifier) => identifier.system === IDENTIFIER_SYSTEMS.twilioMessageSid)
    ?.value;
}

/** The SIDs of earlier send attempts, kept by Retry (docs/decisions/058). */
export function previousSidsOf(communication: Communication): string[] {
  return (communication.identifier ?? [])
    .filter((identifier) => identifier.system === IDENTIFIER_SYSTEMS.previousTwilioMessageSid)
    .map((identifier) => identifier.value)
    .filter((value): value is string => typeof value === 'string');
}

/** The identifier that records a Twilio SID. */
export function sidIdentifier(sid: string): Identifier {
  return { system: IDENTIFIER_SYSTEMS.twilioMessageSid, value: sid };
}

function extension(communication: Communication, url: string): Extension | undefined {
  return communication.extension?.find((candidate) => candidate.url === url);
}

/** The last raw Twilio status recorded. */
export function twilioStatusOf(communication: Communication): TwilioStatus | undefined {
  const code = extension(communication, EXTENSIONS.twilioStatus)?.valueCode;
  return code && isTwilioStatus(code) ? code : undefined;
}

/** When the relay claimed the message, if it did. */
export function claimedAtOf(communication: Communication): Date | undefined {
  const value = extension(communication, EXTENSIONS.claimedAt)?.valueDateTime;
  return value ? new Date(value) : undefined;
}

/** How many times the relay has claimed the message. */
export function sendAttemptOf(communication: Communication): number {
  return extension(communication, EXTENSIONS.sendAttempt)?.valuePositiveInt ?? 0;
}

/** The E.164 number the message went (or goes) to. */
export function toNumberOf(communication: Communication): string | undefined {
  return extension(communication, EXTENSIONS.toNumber)?.valueString;
}

/** A copy with the extensions of `replacements` set (same URL replaced, others kept in order). */
export function withExtensions(communication: Communication, replacements: Extension[]): Communication {
  const urls = new Set(replacements.map((replacement) => replacement.url));
  const kept = (communication.extension ?? []).filter((existing) => !urls.has(existing.url));
  return { ...communication, extension: [...kept, ...replacements] };
}

/** A copy carrying the SID identifier (once). */
export function withSid(communication: Communication, sid: string): Communication {
  if (sidOf(communication) === sid) return communication;
  const others = (communication.identifier ?? []).filter(
    (identifier) => identifier.system !== IDENTIFIER_SYSTEMS.twilioMessageSid,
  );
  return { ...communication, identifier: [...others, sidIdentifier(sid)] };
}

/** The text an outbound message sends: its string payloads, in order. */
export function bodyOf(communication: Communication): string {
  return (communication.payload ?? [])
    .map((payload) => payload.contentString)
    .filter((text): text is string => typeof text === 'string' && text.length > 0)
    .join('\n');
}
