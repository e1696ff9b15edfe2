/**
 * TEAM.md: every FHIR system URI, code and identifier system lives in fhir-profiles/vocabulary.ts. This scan fails
 * when a string literal elsewhere spells one out (comments and doc links are fine: only quoted strings count).
 * Codes that vocabulary.ts exports as a union type (Direction, CommunicationKind, StopReason, TaskCode,
 * TaskBusinessStatus, NumberFlag, TwilioMessageStatus) may appear as typed literals: the compiler ties those to the
 * vocabulary. Every URI, and every other distinctive code (SMSWRIT, 59284-0, …), may not.
 * Known offenders are listed below with the reason; they were reported to the lead and should shrink, not grow.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, test } from 'vitest';
import { PROFILES_ROOT } from './buildOutput';
import { CODES } from './vocabulary';

const REPO = join(PROFILES_ROOT, '..');
const SCANNED = ['client', 'server', 'launch', 'sandbox', 'test', 'scripts', 'bench'];
const SKIPPED_DIRS = new Set(['node_modules', 'dist', '.data', 'coverage', 'test-results']);
const EXTENSIONS = /\.(ts|tsx|js|mjs|cjs|html|json)$/;

/** URI prefixes of FHIR systems: a quoted string starting with one of these is an offender. */
const URI_PREFIXES = [
  'http://terminology.hl7.org',
  'http://hl7.org/fhir',
  'https://hl7.org/fhir/StructureDefinition',
  'https://charttext.org/fhir',
  'http://loinc.org',
  'http://snomed.info',
  'http://unitsofmeasure.org',
  'http://fhir-registry.smarthealthit.org',
  'urn:ietf:rfc:3966',
  'urn:ietf:bcp:47',
  'urn:oid:',
  'https://www.twilio.com/docs/api/errors',
];

/** Codes to look for: not guarded by a vocabulary union type, and distinctive (hyphenated, numeric or upper case). */
const {
  direction: _direction,
  communicationKind: _communicationKind,
  stopReason: _stopReason,
  task: _task,
  taskBusinessStatus: _taskBusinessStatus,
  numberFlag: _numberFlag,
  // Spelled the same by sms-segments-calculator, and OPTOUT is also an SMS opt-out keyword.
  encoding: _encoding,
  consentPolicy: _consentPolicy,
  ...UNGUARDED
} = CODES;
const DISTINCTIVE_CODES = Object.values(UNGUARDED)
  .flatMap((group) => Object.values(group) as string[])
  .filter((code) => code.length >= 5 && (/[-\d]/.test(code) || code === code.toUpperCase()));

/** Literals found in others' work, reported to the lead (file → literals). Empty is the goal. */
const KNOWN_OFFENDERS: Record<string, string[]> = {};

function files(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return SKIPPED_DIRS.has(entry.name) ? [] : files(path);
    return EXTENSIONS.test(entry.name) && !/\.generated\./.test(entry.name) ? [path] : [];
  });
}

/** Quoted FHIR URIs and ChartText codes in `text`. */
export function literalsIn(text: string): string[] {
  const found: string[] = [];
  const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const uris = new RegExp(`['"\`](${URI_PREFIXES.map(escape).join('|')})[^'"\`\\s]*`, 'g');
  for (const match of text.matchAll(uris)) found.push(match[0].slice(1));
  const codes = new RegExp(`['"\`](${DISTINCTIVE_CODES.map(escape).join('|')})['"\`]`, 'g');
  for (const match of text.matchAll(codes)) found.push(match[1] ?? '');
  return found;
}

describe('no FHIR vocabulary outside fhir-profiles/vocabulary.ts', () => {
  test.each([
    [
      `const system = 'http://terminology.hl7.org/CodeSystem/v3-ParticipationMode';`,
      ['http://terminology.hl7.org/CodeSystem/v3-ParticipationMode'],
    ],
    [
      'const url = `https://charttext.org/fhir/StructureDefinition/${name}`;',
      ['https://charttext.org/fhir/StructureDefinition/${name}'],
    ],
    [`medium: [{ coding: [{ code: "SMSWRIT" }] }]`, ['SMSWRIT']],
    [`scope: 'patient-privacy'`, ['patient-privacy']],
    [`reason: 'consent-denied' satisfies StopReason`, []],
    [`// see https://hl7.org/fhir/R4/communication.html and http://hl7.org/fhir/event-status`, []],
    [`status: 'in-progress', label: 'waiting'`, []],
  ])('the scan finds %s → %j', (text, expected) => {
    expect(literalsIn(text)).toEqual(expected);
  });

  test('no file outside fhir-profiles spells out a FHIR system or a ChartText code (beyond the known offenders)', () => {
    const offenders: string[] = [];
    const scanned = SCANNED.flatMap((dir) => files(join(REPO, dir)));
    expect(scanned.length, 'the scan reads the source tree').toBeGreaterThan(20);
    for (const file of scanned) {
      const path = relative(REPO, file);
      const allowed = new Set(KNOWN_OFFENDERS[path] ?? []);
      for (const literal of literalsIn(readFileSync(file, 'utf8'))) {
        if (!allowed.has(literal)) offenders.push(`${path}: ${literal}`);
      }
    }
    expect(offenders, 'import these from fhir-profiles/vocabulary.ts instead').toEqual([]);
  });
});
