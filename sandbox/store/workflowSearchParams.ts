/** Search parameters of the messaging and workflow types: Communication, Task, Consent. */
import type { Communication, Consent, Task } from '@medplum/fhirtypes';
import { codeTokens, conceptTokens, dateValues, identifierTokens, referenceValues } from './indexValues';
import type { SearchParam } from './searchParamTypes';
import { ANY_TARGET, on, PEOPLE } from './searchParamTypes';

/** Communication search parameters. */
export const COMMUNICATION: SearchParam[] = [
  {
    code: 'identifier',
    type: 'token',
    description: 'Identifier, e.g. the Twilio message SID (system|value).',
    extract: on<Communication>((r) => identifierTokens(r.identifier)),
  },
  {
    code: 'subject',
    type: 'reference',
    targets: ['Patient', 'Group'],
    description: 'The patient the message is about.',
    extract: on<Communication>((r) => referenceValues(r.subject)),
  },
  {
    code: 'patient',
    type: 'reference',
    targets: ['Patient'],
    description: 'The subject, when it is a Patient.',
    extract: on<Communication>((r) => referenceValues(r.subject).filter((v) => v.type === 'Patient')),
  },
  {
    code: 'part-of',
    type: 'reference',
    targets: ['Communication'],
    description: 'The thread header a message belongs to.',
    extract: on<Communication>((r) => referenceValues(r.partOf)),
  },
  {
    code: 'based-on',
    type: 'reference',
    targets: ['CommunicationRequest'],
    description: 'Request fulfilled by this communication.',
    extract: on<Communication>((r) => referenceValues(r.basedOn)),
  },
  {
    code: 'medium',
    type: 'token',
    description: 'Channel, e.g. SMSWRIT.',
    extract: on<Communication>((r) => conceptTokens(r.medium)),
  },
  {
    code: 'status',
    type: 'token',
    description: 'Event status (preparation, in-progress, completed, stopped, …).',
    sortable: true,
    extract: on<Communication>((r) => codeTokens(r.status)),
  },
  {
    code: 'category',
    type: 'token',
    description: 'Category codings (direction, kind, notification/reminder/instruction).',
    extract: on<Communication>((r) => conceptTokens(r.category)),
  },
  {
    code: 'sent',
    type: 'date',
    description: 'When the message was sent.',
    sortable: true,
    extract: on<Communication>((r) => dateValues(r.sent)),
  },
  {
    code: 'received',
    type: 'date',
    description: 'When the message was received.',
    sortable: true,
    extract: on<Communication>((r) => dateValues(r.received)),
  },
  {
    code: 'recipient',
    type: 'reference',
    targets: PEOPLE,
    description: 'Who the message is for.',
    extract: on<Communication>((r) => referenceValues(r.recipient)),
  },
  {
    code: 'sender',
    type: 'reference',
    targets: PEOPLE,
    description: 'Who sent the message.',
    extract: on<Communication>((r) => referenceValues(r.sender)),
  },
];

/** Task search parameters. */
export const TASK: SearchParam[] = [
  {
    code: 'identifier',
    type: 'token',
    description: 'Task identifier (system|value).',
    extract: on<Task>((r) => identifierTokens(r.identifier)),
  },
  {
    code: 'patient',
    type: 'reference',
    targets: ['Patient'],
    description: 'Task.for, when it is a Patient.',
    extract: on<Task>((r) => referenceValues(r.for).filter((v) => v.type === 'Patient')),
  },
  {
    code: 'subject',
    type: 'reference',
    targets: ANY_TARGET,
    description: 'Task.for.',
    extract: on<Task>((r) => referenceValues(r.for)),
  },
  {
    code: 'focus',
    type: 'reference',
    targets: ANY_TARGET,
    description: 'What the task is about, e.g. a thread header Communication.',
    extract: on<Task>((r) => referenceValues(r.focus)),
  },
  {
    code: 'owner',
    type: 'reference',
    targets: PEOPLE,
    description: 'Who is responsible for the task.',
    extract: on<Task>((r) => referenceValues(r.owner)),
  },
  {
    code: 'requester',
    type: 'reference',
    targets: PEOPLE,
    description: 'Who asked for the task.',
    extract: on<Task>((r) => referenceValues(r.requester)),
  },
  {
    code: 'status',
    type: 'token',
    description: 'Task status.',
    sortable: true,
    extract: on<Task>((r) => codeTokens(r.status)),
  },
  {
    code: 'business-status',
    type: 'token',
    custom: true,
    description: 'Task.businessStatus codings (not an R4 search parameter; defined by this sandbox).',
    extract: on<Task>((r) => conceptTokens(r.businessStatus)),
  },
  {
    code: 'intent',
    type: 'token',
    description: 'Task intent.',
    extract: on<Task>((r) => codeTokens(r.intent)),
  },
  {
    code: 'code',
    type: 'token',
    description: 'Task code, e.g. needs-response or triage-unmatched.',
    extract: on<Task>((r) => conceptTokens(r.code)),
  },
  {
    code: 'authored-on',
    type: 'date',
    description: 'When the task was created.',
    sortable: true,
    extract: on<Task>((r) => dateValues(r.authoredOn)),
  },
  {
    code: 'modified',
    type: 'date',
    description: 'Task.lastModified.',
    sortable: true,
    extract: on<Task>((r) => dateValues(r.lastModified)),
  },
];

/** Consent search parameters. */
export const CONSENT: SearchParam[] = [
  {
    code: 'identifier',
    type: 'token',
    description: 'Consent identifier.',
    extract: on<Consent>((r) => identifierTokens(r.identifier)),
  },
  {
    code: 'patient',
    type: 'reference',
    targets: ['Patient'],
    description: 'Who the consent applies to.',
    extract: on<Consent>((r) => referenceValues(r.patient)),
  },
  {
    code: 'status',
    type: 'token',
    description: 'Consent status.',
    extract: on<Consent>((r) => codeTokens(r.status)),
  },
  {
    code: 'category',
    type: 'token',
    description: 'Consent category codings (e.g. the ChartText SMS consent kind).',
    extract: on<Consent>((r) => conceptTokens(r.category)),
  },
  {
    code: 'date',
    type: 'date',
    description: 'When the consent was agreed to.',
    sortable: true,
    extract: on<Consent>((r) => dateValues(r.dateTime)),
  },
];
