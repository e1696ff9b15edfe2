/**
 * The vocabulary module and the FSH must never disagree: every URL and code in fhir-profiles/vocabulary.ts is checked
 * against what SUSHI built from fhir-profiles/input/fsh, in both directions.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type {
  CodeSystem,
  CodeSystemConcept,
  ElementDefinition,
  NamingSystem,
  Resource,
  StructureDefinition,
  ValueSet,
} from '@medplum/fhirtypes';
import { beforeAll, describe, expect, test } from 'vitest';
import { PROFILES_ROOT } from './buildOutput';
import { ensureProfilesBuilt } from './scripts/buildProfiles';
import { loadChartTextDefinitions } from './validate';
import {
  CHARTTEXT_CANONICAL,
  CODE_SYSTEMS,
  CODES,
  CONCEPTS,
  EXTENSIONS,
  EXTERNAL_SYSTEMS,
  IDENTIFIER_SYSTEMS,
  PROFILES,
  TWILIO_ERROR_PARTS,
  TWILIO_MESSAGE_STATUS,
  VALUE_SETS,
} from './vocabulary';

/** Which CODES group holds the codes of each ChartText code system. */
const CODES_OF: Record<keyof typeof CODE_SYSTEMS, Record<string, string>> = {
  direction: CODES.direction,
  communicationKind: CODES.communicationKind,
  task: CODES.task,
  taskBusinessStatus: CODES.taskBusinessStatus,
  stopReason: CODES.stopReason,
  consentKind: CODES.consentKind,
  numberFlag: CODES.numberFlag,
  twilioStatus: TWILIO_MESSAGE_STATUS,
  smsEncoding: CODES.encoding,
};

let resources: Resource[] = [];
const ours = <T extends Resource>(type: T['resourceType']): T[] =>
  resources.filter(
    (r): r is T => r.resourceType === type && (r as { url?: string }).url?.startsWith(CHARTTEXT_CANONICAL) === true,
  );
const structureDefinitions = (): StructureDefinition[] => ours<StructureDefinition>('StructureDefinition');
const sd = (url: string): StructureDefinition => {
  const found = structureDefinitions().find((s) => s.url === url);
  if (!found) throw new Error(`No StructureDefinition ${url}`);
  return found;
};
const element = (url: string, id: string): ElementDefinition => {
  const found = sd(url).snapshot?.element.find((e) => e.id === id);
  if (!found) throw new Error(`No element ${id} in ${url}`);
  return found;
};
const flatten = (concepts: CodeSystemConcept[] = []): string[] =>
  concepts.flatMap((c) => [c.code, ...flatten(c.concept)]);
const sorted = (values: Iterable<string>): string[] => [...values].sort();

beforeAll(async () => {
  await ensureProfilesBuilt();
  resources = loadChartTextDefinitions().resources;
}, 120_000);

describe('vocabulary.ts and the FSH agree', () => {
  test('PROFILES are exactly the profiles the FSH defines', () => {
    const built = structureDefinitions().filter((s) => s.type !== 'Extension');
    expect(sorted(built.map((s) => s.url))).toEqual(sorted(Object.values(PROFILES)));
  });

  test('EXTENSIONS are exactly the extensions the FSH defines', () => {
    const built = structureDefinitions().filter((s) => s.type === 'Extension');
    expect(sorted(built.map((s) => s.url))).toEqual(sorted(Object.values(EXTENSIONS)));
  });

  test('CODE_SYSTEMS are exactly the code systems the FSH defines', () => {
    expect(sorted(ours<CodeSystem>('CodeSystem').map((c) => c.url ?? ''))).toEqual(sorted(Object.values(CODE_SYSTEMS)));
  });

  test.each(Object.entries(CODES_OF))('the codes of CODE_SYSTEMS.%s are the codes in the FSH', (key, codes) => {
    const system = CODE_SYSTEMS[key as keyof typeof CODE_SYSTEMS];
    const codeSystem = ours<CodeSystem>('CodeSystem').find((c) => c.url === system);
    expect(sorted(flatten(codeSystem?.concept))).toEqual(sorted(Object.values(codes)));
  });

  test('VALUE_SETS are exactly the value sets the FSH defines', () => {
    expect(sorted(ours<ValueSet>('ValueSet').map((v) => v.url ?? ''))).toEqual(sorted(Object.values(VALUE_SETS)));
  });

  test('IDENTIFIER_SYSTEMS are exactly the NamingSystems the FSH defines', () => {
    const namingSystems = resources.filter((r): r is NamingSystem => r.resourceType === 'NamingSystem');
    const uris = namingSystems.flatMap((n) => n.uniqueId.filter((u) => u.type === 'uri').map((u) => u.value));
    expect(sorted(uris)).toEqual(sorted(Object.values(IDENTIFIER_SYSTEMS)));
  });

  test('every FSH alias names a URL of the vocabulary', () => {
    const aliases = readFileSync(join(PROFILES_ROOT, 'input', 'fsh', 'aliases.fsh'), 'utf8')
      .split('\n')
      .flatMap((line) => /^Alias:\s*\S+\s*=\s*(\S+)/.exec(line)?.[1] ?? []);
    const known = new Set<string>([
      ...Object.values(EXTERNAL_SYSTEMS),
      ...Object.values(CODE_SYSTEMS),
      ...Object.values(IDENTIFIER_SYSTEMS),
    ]);
    expect(aliases.length).toBeGreaterThan(10);
    expect(aliases.filter((url) => !known.has(url))).toEqual([]);
  });

  test('the twilio-error extension’s parts are TWILIO_ERROR_PARTS', () => {
    const urls = sd(EXTENSIONS.twilioError)
      .snapshot?.element.filter((e) => /^Extension\.extension:\w+\.url$/.test(e.id ?? ''))
      .map((e) => e.fixedUri ?? '');
    expect(sorted(urls ?? [])).toEqual(sorted(Object.values(TWILIO_ERROR_PARTS)));
  });
});

describe('the ready-made CONCEPTS are what the profiles require', () => {
  test.each([
    ['SMS medium', PROFILES.outboundMessage, 'Communication.medium:sms', CONCEPTS.smsMedium],
    [
      'outbound direction',
      PROFILES.outboundMessage,
      'Communication.category:direction',
      CONCEPTS.direction('outbound'),
    ],
    ['inbound direction', PROFILES.inboundMessage, 'Communication.category:direction', CONCEPTS.direction('inbound')],
    ['message kind', PROFILES.inboundMessage, 'Communication.category:kind', CONCEPTS.kind('message')],
    ['unmatched kind', PROFILES.unmatchedInbound, 'Communication.category:kind', CONCEPTS.kind('unmatched')],
    ['thread-header kind', PROFILES.threadHeader, 'Communication.category:kind', CONCEPTS.kind('thread-header')],
    ['SMS consent scope', PROFILES.smsConsent, 'Consent.scope', CONCEPTS.smsConsentScope],
    ['SMS consent category', PROFILES.smsConsent, 'Consent.category:sms', CONCEPTS.smsConsentCategory],
    ['SMS consent policy', PROFILES.smsConsent, 'Consent.policyRule', CONCEPTS.smsConsentPolicy],
    ['needs-response code', PROFILES.needsResponseTask, 'Task.code', CONCEPTS.task('needs-response')],
    ['triage code', PROFILES.triageTask, 'Task.code', CONCEPTS.task('triage-unmatched')],
  ])('%s: %s %s', (_name, profile, id, concept) => {
    const pattern = element(profile, id).patternCodeableConcept;
    expect(pattern).toBeDefined();
    // The concept must carry every coding of the pattern (extra displays are fine).
    for (const coding of pattern?.coding ?? []) {
      expect(concept.coding).toContainEqual(expect.objectContaining({ system: coding.system, code: coding.code }));
    }
  });

  test.each([
    ['twilioMessageSid', PROFILES.inboundMessage, 'Communication.identifier:twilioSid.system'],
    ['clientMessageId', PROFILES.outboundMessage, 'Communication.identifier:clientMessageId.system'],
    ['previousTwilioMessageSid', PROFILES.outboundMessage, 'Communication.identifier:previousTwilioSid.system'],
    ['thread', PROFILES.threadHeader, 'Communication.identifier:thread.system'],
    ['triage', PROFILES.triageTask, 'Task.identifier:triage.system'],
  ] as const)('IDENTIFIER_SYSTEMS.%s is the system the profile slices on', (key, profile, id) => {
    const ed = element(profile, id);
    expect(ed.patternUri ?? ed.fixedUri).toBe(IDENTIFIER_SYSTEMS[key]);
  });
});
