/**
 * Scenario: PHI in logs. Everything the relay (in process and the relay processes), the sandbox and the phone
 * simulator logged during the suite is searched for the seeded patients' names, their numbers in every written form,
 * and the words of the message bodies the scenarios sent. Runs last.
 */
import { FAMILY_RELATED_PERSON, PATIENTS, UNKNOWN_NUMBER_E164 } from '../../sandbox/seed/roster';
import { toE164, writtenForms } from '../../server/relay/normalisePhone';
import { emptyCounts, type FaultCounts } from './faultCounts';
import type { FaultScale } from './faultScale';
import { NOT_MOBILE_NUMBER, type FaultStack } from './faultStack';
import { FLOOD_PHRASES } from './inboundFlood';

/** Words and phrases from the bodies the scenarios send (each scenario's bodies carry one of these). */
const BODY_PHRASES = [
  ...FLOOD_PHRASES,
  'potassium result',
  'insulin prescription',
  'lipid panel',
  'colonoscopy prep',
  'bring your inhaler',
  'your MRI is booked',
  'cancel all my appointments',
  'Odd sender',
  'Short code',
  'Letters sender',
  'National sender',
  'Long message.',
  'onerror=alert',
  'مرحبا',
  '👨‍👩‍👧',
];

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The seeded secrets: what must never appear in a log, each with a matcher. */
export function seededSecrets(): { label: string; pattern: RegExp }[] {
  const word = (text: string): RegExp => new RegExp(`(?<![\\p{L}\\p{N}])${escape(text)}(?![\\p{L}\\p{N}])`, 'iu');
  const secrets: { label: string; pattern: RegExp }[] = [];
  for (const person of [...PATIENTS, FAMILY_RELATED_PERSON]) {
    secrets.push({ label: `name of ${person.id}`, pattern: word(person.given) });
    secrets.push({ label: `family name of ${person.id}`, pattern: word(person.family) });
  }
  const numbers = [...PATIENTS.map((p) => toE164(p.phone, 'US')), UNKNOWN_NUMBER_E164, NOT_MOBILE_NUMBER].filter(
    (n): n is string => !!n,
  );
  for (const number of new Set(numbers)) {
    for (const form of writtenForms(number))
      secrets.push({ label: `a patient number (${form.length} chars)`, pattern: word(form) });
  }
  for (const phrase of BODY_PHRASES)
    secrets.push({ label: `message text "${phrase.slice(0, 12)}…"`, pattern: word(phrase) });
  return secrets;
}

/**
 * Replaces the EHR resource ids in `line` that the sandbox seed derives from a patient's id (thread-p0001):
 * the relay logs resource ids by design (docs/decisions/057), and a real EHR's ids are opaque, so these are ids, not
 * names. Only ids of resources the EHR actually holds are replaced.
 */
function withoutSeedIds(line: string, seedIds: ReadonlySet<string>): { line: string; replaced: number } {
  let replaced = 0;
  const cleaned = line.replace(/[A-Za-z0-9\-.]{3,64}/g, (token) => {
    if (!seedIds.has(token)) return token;
    replaced++;
    return '<id>';
  });
  return { line: cleaned, replaced };
}

/** Runs the scenario. */
export function phiInLogs(faults: FaultStack, _scale: FaultScale): Promise<FaultCounts> {
  const counts = emptyCounts('PHI in everything the relay and sandbox logged');
  const started = performance.now();
  const stems = [...PATIENTS.map((p) => p.id), FAMILY_RELATED_PERSON.id];
  const seedIds = new Set<string>();
  for (const record of faults.stack.sandbox.store.versions()) {
    const id = record.op === 'put' ? (record.resource.id ?? '') : record.id;
    if (stems.some((stem) => id.includes(stem))) seedIds.add(id);
  }
  let idsReplaced = 0;
  const lines = [...faults.stack.logLines, ...faults.otherLogs.flatMap((chunk) => chunk.split('\n'))]
    .filter((line) => line.trim() !== '')
    .map((raw) => {
      const { line, replaced } = withoutSeedIds(raw, seedIds);
      idsReplaced += replaced;
      return line;
    });
  const secrets = seededSecrets();
  const hits = new Map<string, number>();
  for (const line of lines) {
    for (const secret of secrets) {
      if (secret.pattern.test(line)) hits.set(secret.label, (hits.get(secret.label) ?? 0) + 1);
    }
  }
  counts.sent = secrets.length;
  counts.phi = [...hits.values()].reduce((sum, n) => sum + n, 0);
  counts.delivered = secrets.length - hits.size;
  counts.seconds = (performance.now() - started) / 1000;
  const relayLines = faults.stack.logLines.length;
  counts.notes.push(
    `${secrets.length} seeded names, numbers and message phrases searched in ${lines.length} log lines ` +
      `(${relayLines} from the relay in process, the rest from relay processes, the sandbox and the phone simulator)`,
  );
  if (idsReplaced > 0) {
    counts.notes.push(
      `${idsReplaced} mentions of resource ids the sandbox seed builds from patient ids (thread-<patient>) ` +
        'were not counted: the relay logs ids by design, and a real EHR’s ids are opaque',
    );
  }
  for (const [label, n] of hits) counts.notes.push(`found ${label} in ${n} lines`);
  if (relayLines < 100) counts.notes.push('suspiciously few relay log lines: was logging on?');
  return Promise.resolve(counts);
}
