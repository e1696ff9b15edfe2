import type {
  Communication,
  Consent,
  Organization,
  Patient,
  Practitioner,
  RelatedPerson,
  Resource,
  Task,
} from '@medplum/fhirtypes';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { describe, expect, test } from 'vitest';
import {
  CODES,
  CODE_SYSTEMS,
  EXTENSIONS,
  EXTERNAL_SYSTEMS,
  hasCoding,
  IDENTIFIER_SYSTEMS,
} from '../../fhir-profiles/vocabulary';
import { chartTextIssues, inferChartTextProfile } from '../../fhir-profiles/validate';
import { structuralIssues } from '../fhir/validateWrite';
import {
  buildSeed,
  FAMILY_RELATED_PERSON,
  PATIENTS,
  PRACTICE,
  SEED_EPOCH,
  SPECIAL_PATIENTS,
  STAFF,
  UNKNOWN_NUMBER_E164,
} from './index';

const now = new Date(SEED_EPOCH);
const seed = buildSeed(now);
const ofType = <T extends Resource>(type: T['resourceType']): T[] =>
  seed.filter((r): r is T => r.resourceType === type);
const communications = ofType<Communication>('Communication');
const messagesOf = (patientId: string): Communication[] =>
  communications.filter((c) => c.partOf?.[0]?.reference === `Communication/thread-${patientId}`);

describe('buildSeed', () => {
  test('when built twice for the same now, then it is identical', () => {
    expect(buildSeed(new Date(SEED_EPOCH))).toEqual(seed);
  });

  test('when built for another now, then the history moves with it', () => {
    const later = buildSeed(new Date(now.getTime() + 86_400_000));
    expect(later.map((r) => r.id)).toEqual(seed.map((r) => r.id));
    expect(later[seed.length - 1]?.meta?.lastUpdated).not.toEqual(seed[seed.length - 1]?.meta?.lastUpdated);
  });

  test('every seed resource is valid FHIR R4 (structure and required bindings)', () => {
    const invalid = seed
      .map((r) => ({ key: `${r.resourceType}/${r.id}`, issues: structuralIssues(r) }))
      .filter((r) => r.issues.length > 0);
    expect(invalid).toEqual([]);
  }, 60_000);

  test('every ChartText resource claims its profile and conforms to it', () => {
    const problems = seed.flatMap((r) =>
      chartTextIssues(r, { inferProfile: true })
        .filter((issue) => issue.severity === 'error')
        .map((issue) => `${r.resourceType}/${r.id}: ${issue.expression?.[0] ?? ''} ${issue.details?.text ?? ''}`),
    );
    expect(problems).toEqual([]);
    const claims = seed
      .filter((r) => inferChartTextProfile(r))
      .map((r) => [r.meta?.profile?.[0], inferChartTextProfile(r)]);
    expect(claims.filter(([claimed, inferred]) => claimed !== inferred)).toEqual([]);
  }, 60_000);

  test('ids are unique per type and every literal reference resolves inside the seed', () => {
    const keys = new Set(seed.map((r) => `${r.resourceType}/${r.id}`));
    expect(keys.size).toBe(seed.length);
    const dangling: string[] = [];
    const walk = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(walk);
      else if (value && typeof value === 'object') {
        for (const [key, child] of Object.entries(value)) {
          if (key === 'reference' && typeof child === 'string' && !keys.has(child)) dangling.push(child);
          else walk(child);
        }
      }
    };
    walk(seed);
    expect(dangling).toEqual([]);
  });

  test('no id spells a patient’s or family member’s name: ids travel in URLs and logs', () => {
    const names = [...PATIENTS, FAMILY_RELATED_PERSON].flatMap((person) =>
      [person.given, person.family].map((part) =>
        part
          .normalize('NFD')
          .replace(/[^A-Za-z]/g, '')
          .toLowerCase(),
      ),
    );
    const spelled = seed.filter((r) => names.some((part) => r.id?.toLowerCase().includes(part)));
    expect(spelled.map((r) => `${r.resourceType}/${r.id}`)).toEqual([]);
  });

  test('nothing happens after now', () => {
    const times = seed.flatMap((r) => [r.meta?.lastUpdated, (r as Communication).sent, (r as Communication).received]);
    const late = times.filter((t): t is string => !!t && Date.parse(t) > now.getTime());
    expect(late).toEqual([]);
  });
});

describe('seed people', () => {
  test('the practice has its SMS number marked', () => {
    const [practice] = ofType<Organization>('Organization');
    const sms = practice?.telecom?.find((t) => t.extension?.some((e) => e.url === EXTENSIONS.practiceSmsNumber));
    expect(sms?.value).toBe(PRACTICE.smsNumber);
  });

  test('staff sign in by login: the identifier of each Practitioner', () => {
    const logins = ofType<Practitioner>('Practitioner').map(
      (p) => p.identifier?.find((i) => i.system === IDENTIFIER_SYSTEMS.sandboxUser)?.value,
    );
    expect(logins.sort()).toEqual(STAFF.map((s) => s.login).sort());
    expect(ofType('PractitionerRole')).toHaveLength(STAFF.length);
  });

  test('26 patients with MRNs and valid phone numbers written in several forms', () => {
    const patients = ofType<Patient>('Patient');
    expect(patients).toHaveLength(26);
    expect(patients.every((p) => p.identifier?.some((i) => i.system === EXTERNAL_SYSTEMS.sandboxMrn && i.value))).toBe(
      true,
    );
    const phones = patients.flatMap((p) => p.telecom?.map((t) => t.value ?? '') ?? []);
    expect(phones.every((phone) => parsePhoneNumberFromString(phone, 'US')?.isValid())).toBe(true);
    const shapes = new Set(phones.map((phone) => phone.replace(/\d/g, '9')));
    expect(shapes.size).toBeGreaterThanOrEqual(3);
  });

  test('special patients: landline only, no phone, the family sharing one number', () => {
    const patient = (id: string): Patient | undefined => ofType<Patient>('Patient').find((p) => p.id === id);
    expect(patient(SPECIAL_PATIENTS.landlineOnly)?.telecom?.map((t) => t.use)).toEqual(['home']);
    expect(patient(SPECIAL_PATIENTS.noPhone)?.telecom).toBeUndefined();
    const [related] = ofType<RelatedPerson>('RelatedPerson');
    expect(related?.patient.reference).toBe(`Patient/${FAMILY_RELATED_PERSON.patientId}`);
    const family = [patient(SPECIAL_PATIENTS.familyParent), patient(SPECIAL_PATIENTS.familyChild), related];
    const numbers = family.map((p) => parsePhoneNumberFromString(p?.telecom?.[0]?.value ?? '', 'US')?.number);
    expect(new Set(numbers).size).toBe(1);
    expect(PATIENTS).toHaveLength(26);
  });

  test('the opted-out patient has an active SMS Consent that denies, sourced from the STOP message', () => {
    const consent = ofType<Consent>('Consent').find(
      (c) => c.patient?.reference === `Patient/${SPECIAL_PATIENTS.optedOut}`,
    );
    expect(consent?.provision?.type).toBe('deny');
    expect(hasCoding(consent?.category, CODE_SYSTEMS.consentKind, CODES.consentKind.sms)).toBe(true);
    const source = communications.find((c) => `Communication/${c.id}` === consent?.sourceAttachment?.url);
    expect(source?.payload?.[0]?.contentString).toBe('STOP');
  });
});

describe('seed threads', () => {
  test('the long thread has at least 2,000 messages, all in its header', () => {
    expect(messagesOf(SPECIAL_PATIENTS.longThread).length).toBeGreaterThanOrEqual(2000);
  });

  test('every message follows the conventions: SMSWRIT, direction and kind, a header, a Twilio SID when sent', () => {
    const messages = communications.filter((c) =>
      hasCoding(c.category, CODE_SYSTEMS.communicationKind, CODES.communicationKind.message),
    );
    expect(messages.length).toBeGreaterThan(2000);
    for (const message of messages) {
      expect(hasCoding(message.medium, EXTERNAL_SYSTEMS.participationMode, CODES.medium.sms)).toBe(true);
      const inbound = hasCoding(message.category, CODE_SYSTEMS.direction, CODES.direction.inbound);
      const outbound = hasCoding(message.category, CODE_SYSTEMS.direction, CODES.direction.outbound);
      expect(inbound !== outbound).toBe(true);
      expect(message.partOf?.[0]?.reference).toMatch(/^Communication\/thread-/);
      if (message.sent || inbound) {
        const sid = message.identifier?.find((i) => i.system === IDENTIFIER_SYSTEMS.twilioMessageSid)?.value;
        expect(sid).toMatch(/^SM[0-9a-f]{32}$/);
      }
      if (message.status === 'stopped') expect(message.statusReason?.coding?.length).toBeGreaterThan(0);
    }
    const sids = messages.flatMap((m) => m.identifier?.map((i) => i.value) ?? []);
    expect(new Set(sids).size).toBe(sids.length);
  });

  test('open needs-response Tasks point at thread headers; some are assigned', () => {
    const open = ofType<Task>('Task').filter(
      (t) => hasCoding(t.code, CODE_SYSTEMS.task, CODES.task.needsResponse) && t.status === 'requested',
    );
    expect(open.length).toBeGreaterThanOrEqual(3);
    for (const task of open) {
      expect(task.focus?.reference).toBe(`Communication/thread-${task.for?.reference?.split('/')[1] ?? ''}`);
    }
    expect(open.some((t) => t.owner)).toBe(true);
    expect(open.some((t) => !t.owner)).toBe(true);
  });

  test('a text from an unknown number waits for triage', () => {
    const unmatched = communications.find((c) =>
      hasCoding(c.category, CODE_SYSTEMS.communicationKind, CODES.communicationKind.unmatched),
    );
    expect(unmatched?.extension?.find((e) => e.url === EXTENSIONS.fromNumber)?.valueString).toBe(UNKNOWN_NUMBER_E164);
    const triage = ofType<Task>('Task').find((t) => hasCoding(t.code, CODE_SYSTEMS.task, CODES.task.triageUnmatched));
    expect(triage?.focus?.reference).toBe(`Communication/${unmatched?.id}`);
  });

  test('a couple of messages failed, each with its reason', () => {
    const stopped = communications.filter((c) => c.status === 'stopped');
    const reasons = stopped.map((c) => c.statusReason?.coding?.find((x) => x.system === CODE_SYSTEMS.stopReason)?.code);
    expect(reasons).toEqual(
      expect.arrayContaining([
        CODES.stopReason.deliveryFailed,
        CODES.stopReason.consentDenied,
        CODES.stopReason.noSmsNumber,
      ]),
    );
  });
});
