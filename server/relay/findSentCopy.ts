/**
 * Finds, in Twilio's message log, the SMS a claim already produced although its SID never reached the EHR (the relay
 * died after Twilio accepted it, or Twilio's answer was lost). Twilio has no idempotency key on Message create, so the
 * match is: same To, same body, created after the claim, and a SID no Communication holds — neither as another
 * message's SID nor as an earlier attempt's (kept by Retry), this message's own included. See docs/decisions/051, 058.
 */
import type { Communication } from '@medplum/fhirtypes';
import { TOKENS } from '../../fhir-profiles/vocabulary';
import type { RelayContext } from './context';
import { matches } from './fhirStore';
import { bodyOf, claimedAtOf, previousSidsOf, sidOf } from './outboundFields';
import type { SmsMessage } from './smsGateway';

/** Clocks differ between the relay, the EHR and Twilio; look this far before the claim. */
const CLOCK_SKEW_MS = 2 * 60_000;
const LOG_LIMIT = 200;

/** A body as Twilio may echo it (Smart Encoding swaps curly quotes and dashes; whitespace may differ). */
export function comparableBody(body: string): string {
  return body
    .normalize('NFKC')
    .replace(/[\u2018\u2019\u201A\u2032]/g, "'")
    .replace(/[\u201C\u201D\u201E\u2033]/g, '"')
    .replace(/[\u2013\u2014]/g, '-')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The log entries that could be this claim's SMS, oldest first (pure). */
export function sentCopyCandidates(communication: Communication, to: string, log: readonly SmsMessage[]): SmsMessage[] {
  const claimedAt = claimedAtOf(communication);
  const since = (claimedAt?.getTime() ?? 0) - CLOCK_SKEW_MS;
  const body = comparableBody(bodyOf(communication));
  return log
    .filter((message) => message.direction === 'outbound' && message.to === to)
    .filter((message) => !message.dateCreated || Date.parse(message.dateCreated) >= since)
    .filter((message) => comparableBody(message.body) === body)
    .sort((a, b) => (a.dateCreated ?? '').localeCompare(b.dateCreated ?? ''));
}

/** The Twilio message this claimed Communication already produced, if there is one. */
export async function findSentCopy(
  ctx: RelayContext,
  communication: Communication,
  to: string,
): Promise<SmsMessage | undefined> {
  const known = sidOf(communication);
  if (known) return ctx.sms.fetch(known);
  // Only a claim in flight can have sent a copy of its own; a message back in preparation has not been sent yet.
  if (communication.status !== 'in-progress') return undefined;
  const earlier = new Set(previousSidsOf(communication));
  const candidates = sentCopyCandidates(communication, to, await ctx.sms.list({ to, limit: LOG_LIMIT })).filter(
    (message) => !earlier.has(message.sid),
  );
  if (candidates.length === 0) return undefined;
  const owned = await ctx.fhir.search('Communication', {
    identifier: candidates
      .flatMap((message) => [TOKENS.twilioSid(message.sid), TOKENS.previousTwilioSid(message.sid)])
      .join(','),
    _count: String(candidates.length * 2),
  });
  const taken = new Set<string>();
  for (const other of matches<Communication>(owned, 'Communication')) {
    const theirs = other.id === communication.id ? [] : [sidOf(other)];
    for (const sid of [...theirs, ...previousSidsOf(other)]) if (sid) taken.add(sid);
  }
  return candidates.find((message) => !taken.has(message.sid));
}
