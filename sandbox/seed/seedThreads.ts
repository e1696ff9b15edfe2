/**
 * The conversation history the sandbox starts with, relative to `now`: threads over the past weeks (one of them
 * with 2,000+ messages), delivery failures, an opt-out (STOP) and an opt-back-in (START) with their Consents, open
 * needs-response Tasks (some assigned), and one text from an unknown number with its triage Task.
 */
import type { Communication, Consent, Organization, Practitioner, Reference, Resource, Task } from '@medplum/fhirtypes';
import { CODES, CONCEPTS, EXTERNAL_SYSTEMS, IDENTIFIER_SYSTEMS, PROFILES } from '../../fhir-profiles/vocabulary';
import type { Script, ScriptStep, SenderRole } from './conversationScripts';
import { ENGLISH_SCRIPTS, OPEN_QUESTIONS, SPANISH_SCRIPTS } from './conversationScripts';
import type { RosterPatient } from './roster';
import { FAMILY_RELATED_PERSON, PATIENTS, PRACTICE, SPECIAL_PATIENTS, STAFF, UNKNOWN_NUMBER_E164 } from './roster';
import { PRACTICE_REFERENCE, toE164 } from './seedPeople';
import type { Counterpart, OutboundOutcome } from './threadWriter';
import { inboundExtensions, seedSid, ThreadWriter } from './threadWriter';

const MINUTE = 60_000;
const DAY = 86_400_000;

/** Deterministic pseudo-random numbers (mulberry32), so the seed is the same for the same `now`. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What a patient's thread contains. */
interface ThreadPlan {
  patientId: string;
  exchanges: number;
  /** Days of history before now. */
  days: number;
  /** Ends with an unanswered question; `owner` is the staff id it is assigned to, null for unassigned. */
  openQuestion?: { owner: string | null };
  /** A special ending. */
  ending?: 'stop' | 'stop-then-start' | 'landline-failure' | 'unreachable' | 'no-phone' | 'in-flight';
  /** A past needs-response Task that was answered. */
  answeredTask?: boolean;
}

const PLANS: ThreadPlan[] = [
  { patientId: SPECIAL_PATIENTS.longThread, exchanges: 800, days: 56, openQuestion: { owner: 'fd-brooks' } },
  { patientId: SPECIAL_PATIENTS.optedOut, exchanges: 2, days: 30, ending: 'stop' },
  { patientId: SPECIAL_PATIENTS.landlineOnly, exchanges: 0, days: 10, ending: 'landline-failure' },
  { patientId: SPECIAL_PATIENTS.noPhone, exchanges: 0, days: 6, ending: 'no-phone' },
  { patientId: SPECIAL_PATIENTS.familyParent, exchanges: 3, days: 25, openQuestion: { owner: null } },
  { patientId: SPECIAL_PATIENTS.familyChild, exchanges: 2, days: 20, answeredTask: true },
  { patientId: 'p0007', exchanges: 2, days: 21, ending: 'unreachable' },
  { patientId: 'p0008', exchanges: 3, days: 28, openQuestion: { owner: 'dr-lee' } },
  { patientId: 'p0009', exchanges: 2, days: 14, ending: 'in-flight' },
  { patientId: 'p0010', exchanges: 4, days: 35, answeredTask: true },
  { patientId: 'p0011', exchanges: 1, days: 9, openQuestion: { owner: null } },
  { patientId: 'p0012', exchanges: 2, days: 18 },
  { patientId: 'p0013', exchanges: 3, days: 40, openQuestion: { owner: 'np-silva' } },
  { patientId: 'p0014', exchanges: 1, days: 12 },
  { patientId: 'p0015', exchanges: 2, days: 22 },
  { patientId: 'p0016', exchanges: 2, days: 16, openQuestion: { owner: null } },
  { patientId: 'p0017', exchanges: 4, days: 30 },
  { patientId: 'p0018', exchanges: 1, days: 26, ending: 'stop-then-start' },
  { patientId: 'p0019', exchanges: 2, days: 15 },
  { patientId: 'p0020', exchanges: 3, days: 33 },
  { patientId: 'p0021', exchanges: 1, days: 7 },
  { patientId: 'p0022', exchanges: 2, days: 19 },
  { patientId: 'p0023', exchanges: 3, days: 24, openQuestion: { owner: 'fd-brooks' } },
  { patientId: 'p0024', exchanges: 1, days: 5 },
];

const CLINICIANS = STAFF.filter((s) => s.role === 'clinician');
const FRONT_DESK = STAFF.filter((s) => s.role === 'front-desk');

function senderFor(role: SenderRole | undefined, n: number): Reference<Practitioner | Organization> {
  if (role === 'practice') return PRACTICE_REFERENCE;
  const pool = role === 'front-desk' ? FRONT_DESK : CLINICIANS;
  return { reference: `Practitioner/${pool[n % pool.length]?.id ?? 'dr-lee'}` };
}

function counterpartOf(patient: RosterPatient): Counterpart {
  if (patient.id === FAMILY_RELATED_PERSON.patientId) {
    return {
      reference: `RelatedPerson/${FAMILY_RELATED_PERSON.id}`,
      given: FAMILY_RELATED_PERSON.given,
      phone: toE164(FAMILY_RELATED_PERSON.phone),
    };
  }
  return { reference: `Patient/${patient.id}`, given: patient.given, phone: patient.phone && toE164(patient.phone) };
}

interface BuiltThread {
  resources: Resource[];
}

function needsResponseTask(
  patientId: string,
  waitingSince: Communication,
  owner: string | null,
  answeredAt?: Date,
): Task {
  const since = waitingSince.received ?? waitingSince.meta?.lastUpdated ?? '';
  const lastModified = answeredAt?.toISOString() ?? since;
  return {
    resourceType: 'Task',
    id: `needs-response-${patientId}${answeredAt ? '-answered' : ''}`,
    meta: {
      profile: [PROFILES.needsResponseTask],
      lastUpdated: new Date(Date.parse(lastModified) + 600).toISOString(),
    },
    status: answeredAt ? 'completed' : 'requested',
    businessStatus: CONCEPTS.taskBusinessStatus(
      answeredAt ? CODES.taskBusinessStatus.answered : CODES.taskBusinessStatus.waiting,
    ),
    intent: 'order',
    code: CONCEPTS.task(CODES.task.needsResponse),
    focus: { reference: `Communication/thread-${patientId}` },
    for: { reference: `Patient/${patientId}` },
    authoredOn: since,
    lastModified,
    executionPeriod: { start: since, ...(answeredAt ? { end: lastModified } : {}) },
    ...(owner ? { owner: { reference: `Practitioner/${owner}` } } : {}),
  };
}

function smsConsent(patientId: string, source: Communication, decision: 'deny' | 'permit', keyword: string): Consent {
  const at = source.received ?? '';
  return {
    resourceType: 'Consent',
    id: `sms-consent-${patientId}`,
    meta: { profile: [PROFILES.smsConsent], lastUpdated: new Date(Date.parse(at) + 800).toISOString() },
    status: 'active',
    scope: CONCEPTS.smsConsentScope,
    category: [CONCEPTS.smsConsentCategory],
    patient: { reference: `Patient/${patientId}` },
    dateTime: at,
    performer: [{ reference: `Patient/${patientId}` }],
    sourceAttachment: { url: `Communication/${source.id ?? ''}`, title: keyword },
    policyRule: { coding: [{ system: EXTERNAL_SYSTEMS.v3ActCode, code: CODES.consentPolicy.optOut }] },
    provision: { type: decision },
  };
}

function buildThread(plan: ThreadPlan, now: Date, salt: number): BuiltThread {
  const patient = PATIENTS.find((p) => p.id === plan.patientId);
  if (!patient) throw new Error(`Seed plan names unknown patient ${plan.patientId}`);
  const rand = random(salt);
  const counterpart = counterpartOf(patient);
  const start = new Date(now.getTime() - plan.days * DAY);
  const thread = new ThreadWriter(patient.id, counterpart, new Date(start.getTime() - MINUTE));
  const scripts: readonly Script[] = patient.language === 'es' ? SPANISH_SCRIPTS : ENGLISH_SCRIPTS;
  const extra: Resource[] = [];
  // Leave the last stretch for the ending; spread the exchanges over the rest.
  const span = plan.days * DAY - 2 * DAY;
  let at = start;
  let lastOutbound: Communication | undefined;
  const say = (step: ScriptStep, n: number): Communication => {
    const text = step.text({ given: counterpart.given, at, n });
    const message =
      step.direction === 'inbound'
        ? thread.inbound(text, at)
        : thread.outbound(text, at, senderFor(step.sender, n), { kind: 'delivered' }, step.category);
    if (step.direction === 'outbound') lastOutbound = message;
    at = new Date(at.getTime() + (2 + Math.floor(rand() * 25)) * MINUTE);
    return message;
  };
  for (let i = 0; i < plan.exchanges; i++) {
    const exchangeStart = start.getTime() + Math.floor((i * span) / Math.max(1, plan.exchanges));
    at = new Date(Math.max(at.getTime(), exchangeStart + Math.floor(rand() * 3 * 60) * MINUTE));
    // The exchange an answered Task records starts with the patient's question.
    const pool =
      plan.answeredTask && i === plan.exchanges - 1 ? scripts.filter((s) => s[0]?.direction === 'inbound') : scripts;
    const script = pool[Math.floor(rand() * pool.length)] ?? [];
    const n = Math.floor(rand() * 1000);
    const firstInbound = script[0]?.direction === 'inbound' ? script[0] : undefined;
    const asked = firstInbound ? say(firstInbound, n) : undefined;
    for (const step of firstInbound ? script.slice(1) : script) say(step, n);
    if (plan.answeredTask && i === plan.exchanges - 1 && asked && lastOutbound?.sent) {
      extra.push(needsResponseTask(patient.id, asked, 'fd-brooks', new Date(lastOutbound.sent)));
    }
  }
  at = new Date(Math.max(at.getTime(), now.getTime() - DAY));
  const clinician = senderFor('clinician', salt);
  switch (plan.ending) {
    case 'stop': {
      const stop = thread.inbound('STOP', at);
      extra.push(smsConsent(patient.id, stop, 'deny', 'STOP'));
      thread.outbound(
        'Hi Robert, Dr. Okafor would like to go over your blood pressure readings. Please call us when you can.',
        new Date(at.getTime() + 3 * 60 * MINUTE),
        clinician,
        {
          kind: 'not-sent',
          reason: 'consent-denied',
          text: 'Not sent: the patient opted out of text messages (STOP).',
        },
      );
      break;
    }
    case 'stop-then-start': {
      thread.inbound('STOP', new Date(at.getTime() - 6 * DAY));
      const optIn = thread.inbound('START', new Date(at.getTime() - 2 * DAY));
      extra.push(smsConsent(patient.id, optIn, 'permit', 'START'));
      thread.outbound(
        'Welcome back, Hannah! You will get appointment reminders by text again.',
        new Date(at.getTime() - 2 * DAY + 5 * MINUTE),
        PRACTICE_REFERENCE,
        { kind: 'delivered' },
        'notification',
      );
      break;
    }
    case 'landline-failure':
    case 'unreachable': {
      const landline = plan.ending === 'landline-failure';
      const outcome: OutboundOutcome = landline
        ? { kind: 'undelivered', errorCode: 30006, errorMessage: 'Landline or unreachable carrier' }
        : { kind: 'undelivered', errorCode: 30003, errorMessage: 'Unreachable destination handset' };
      thread.outbound(
        `Hi ${counterpart.given}, this is ${PRACTICE.name}. Your flu shot is due. Call (201) 555-0101 to book a time.`,
        at,
        PRACTICE_REFERENCE,
        outcome,
        'reminder',
      );
      break;
    }
    case 'no-phone':
      thread.outbound('Hi Samuel, your test results are ready. Please call us to go over them.', at, clinician, {
        kind: 'not-sent',
        reason: 'no-sms-number',
        text: 'Not sent: the patient has no mobile number on file.',
      });
      break;
    case 'in-flight':
      thread.outbound(
        'Hi Thomas, your prescription was sent to the pharmacy. It should be ready within the hour.',
        new Date(now.getTime() - 2 * MINUTE),
        clinician,
        { kind: 'sent' },
      );
      break;
    case undefined:
      break;
  }
  if (plan.openQuestion) {
    const questions = patient.language === 'es' ? OPEN_QUESTIONS.es : OPEN_QUESTIONS.en;
    const question = questions[salt % questions.length] ?? questions[0];
    // Asked a few hours ago (after the rest of the thread), so the inbox shows different waits.
    const askedAt = Math.max(at.getTime() + MINUTE, now.getTime() - (1 + (salt % 7) * 3) * 60 * MINUTE);
    const asked = thread.inbound(question, new Date(Math.min(askedAt, now.getTime() - 20 * MINUTE)));
    extra.push(needsResponseTask(patient.id, asked, plan.openQuestion.owner));
  }
  return { resources: [thread.header, ...thread.messages, ...extra] };
}

function unmatchedInbound(now: Date): Resource[] {
  const id = 'unmatched-0001';
  const sid = seedSid(id);
  const received = new Date(now.getTime() - 95 * MINUTE).toISOString();
  const text = 'Hello, I got a text from this number about a flu shot. Who is this, please?';
  const message: Communication = {
    resourceType: 'Communication',
    id,
    meta: { profile: [PROFILES.unmatchedInbound], lastUpdated: new Date(Date.parse(received) + 400).toISOString() },
    identifier: [{ system: IDENTIFIER_SYSTEMS.twilioMessageSid, value: sid }],
    status: 'completed',
    category: [CONCEPTS.direction(CODES.direction.inbound), CONCEPTS.kind(CODES.communicationKind.unmatched)],
    medium: [CONCEPTS.smsMedium],
    recipient: [PRACTICE_REFERENCE],
    sent: received,
    received,
    payload: [{ contentString: text }],
    extension: inboundExtensions(text, UNKNOWN_NUMBER_E164),
  };
  const task: Task = {
    resourceType: 'Task',
    id: `triage-${id}`,
    meta: { profile: [PROFILES.triageTask], lastUpdated: new Date(Date.parse(received) + 900).toISOString() },
    identifier: [{ system: IDENTIFIER_SYSTEMS.triage, value: sid }],
    status: 'requested',
    businessStatus: CONCEPTS.taskBusinessStatus(CODES.taskBusinessStatus.waiting),
    intent: 'order',
    code: CONCEPTS.task(CODES.task.triageUnmatched),
    focus: { reference: `Communication/${id}` },
    authoredOn: received,
    lastModified: received,
    executionPeriod: { start: received },
  };
  return [message, task];
}

/** Threads, Tasks and Consents of the seed. */
export function seedThreads(now: Date): Resource[] {
  const out: Resource[] = [];
  PLANS.forEach((plan, i) => out.push(...buildThread(plan, now, 1000 + i).resources));
  out.push(...unmatchedInbound(now));
  return out;
}
