/**
 * The search parameters the sandbox supports, per resource type: the single source of truth for the search engine,
 * the query parser (anything else is a 400) and the CapabilityStatement. Extraction is plain TypeScript, not FHIRPath,
 * so a resource is indexed once per write and a search never evaluates an expression.
 * Parameter semantics follow https://hl7.org/fhir/R4/searchparameter-registry.html.
 */
import type {
  Communication,
  Consent,
  Organization,
  Patient,
  Practitioner,
  PractitionerRole,
  RelatedPerson,
  Resource,
  Task,
} from '@medplum/fhirtypes';
import type { DateValue, ReferenceValue, StringValue, TokenValue } from './indexValues';
import {
  codeTokens,
  conceptTokens,
  dateValues,
  humanNameStrings,
  identifierTokens,
  referenceValues,
  stringValues,
  telecomTokens,
} from './indexValues';

interface ParamBase {
  code: string;
  description: string;
  /** Usable in `_sort`. */
  sortable?: boolean;
  /** True when the parameter is not defined by FHIR R4 (declared without a definition canonical). */
  custom?: boolean;
}

export interface ReferenceParam extends ParamBase {
  type: 'reference';
  /** Resource types the reference may point to; the first is assumed for a bare id when there is only one. */
  targets: readonly string[];
  extract: (resource: Resource) => ReferenceValue[];
}

export interface TokenParam extends ParamBase {
  type: 'token';
  extract: (resource: Resource) => TokenValue[];
}

export interface StringParam extends ParamBase {
  type: 'string';
  extract: (resource: Resource) => StringValue[];
}

export interface DateParam extends ParamBase {
  type: 'date';
  extract: (resource: Resource) => DateValue[];
}

export type SearchParam = ReferenceParam | TokenParam | StringParam | DateParam;

/** Search parameters common to every supported type. */
const COMMON: SearchParam[] = [
  {
    code: '_id',
    type: 'token',
    description: 'Logical id of the resource.',
    sortable: true,
    extract: (r) => codeTokens(r.id),
  },
  {
    code: '_lastUpdated',
    type: 'date',
    description: 'When the resource version last changed (strictly increasing per write on this server).',
    sortable: true,
    extract: (r) => dateValues(r.meta?.lastUpdated),
  },
];

/** Typed helper: the extractor receives the resource type the table entry is for. */
function on<T extends Resource>(extract: (resource: T) => unknown[]): (resource: Resource) => never[] {
  return extract as (resource: Resource) => never[];
}

const ANY_TARGET = ['Patient', 'Practitioner', 'PractitionerRole', 'RelatedPerson', 'Organization', 'Communication'];
const PEOPLE = ['Patient', 'Practitioner', 'PractitionerRole', 'RelatedPerson', 'Organization'];

const PATIENT: SearchParam[] = [
  {
    code: 'identifier',
    type: 'token',
    description: 'A patient identifier (system|value), e.g. the MRN.',
    extract: on<Patient>((r) => identifierTokens(r.identifier)),
  },
  {
    code: 'name',
    type: 'string',
    description: 'Any part of a name (family, given, prefix, suffix, text).',
    sortable: true,
    extract: on<Patient>((r) => humanNameStrings(r.name)),
  },
  {
    code: 'family',
    type: 'string',
    description: 'Family name.',
    sortable: true,
    extract: on<Patient>((r) => humanNameStrings(r.name, 'family')),
  },
  {
    code: 'given',
    type: 'string',
    description: 'Given name.',
    sortable: true,
    extract: on<Patient>((r) => humanNameStrings(r.name, 'given')),
  },
  {
    code: 'birthdate',
    type: 'date',
    description: 'Date of birth.',
    sortable: true,
    extract: on<Patient>((r) => dateValues(r.birthDate)),
  },
  {
    code: 'gender',
    type: 'token',
    description: 'Administrative gender.',
    extract: on<Patient>((r) => codeTokens(r.gender)),
  },
  {
    code: 'phone',
    type: 'token',
    description: 'A telecom value with system phone, matched exactly as written on the chart (not normalised).',
    extract: on<Patient>((r) => telecomTokens(r.telecom, 'phone')),
  },
  {
    code: 'telecom',
    type: 'token',
    description: 'Any telecom value, matched exactly as written.',
    extract: on<Patient>((r) => telecomTokens(r.telecom)),
  },
  {
    code: 'link',
    type: 'reference',
    targets: ['Patient', 'RelatedPerson'],
    description: 'Another patient or related person linked to this one.',
    extract: on<Patient>((r) => referenceValues(r.link?.map((l) => l.other))),
  },
];

const COMMUNICATION: SearchParam[] = [
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

const TASK: SearchParam[] = [
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

const CONSENT: SearchParam[] = [
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

const telecomParams = <T extends Patient | RelatedPerson | Practitioner | Organization>(): SearchParam[] => [
  {
    code: 'phone',
    type: 'token',
    description: 'A telecom value with system phone, matched exactly as written.',
    extract: on<T>((r) => telecomTokens(r.telecom, 'phone')),
  },
  {
    code: 'telecom',
    type: 'token',
    description: 'Any telecom value, matched exactly as written.',
    extract: on<T>((r) => telecomTokens(r.telecom)),
  },
];

const RELATED_PERSON: SearchParam[] = [
  {
    code: 'identifier',
    type: 'token',
    description: 'Identifier.',
    extract: on<RelatedPerson>((r) => identifierTokens(r.identifier)),
  },
  {
    code: 'patient',
    type: 'reference',
    targets: ['Patient'],
    description: 'The patient this person is related to.',
    extract: on<RelatedPerson>((r) => referenceValues(r.patient)),
  },
  {
    code: 'name',
    type: 'string',
    description: 'Any part of a name.',
    sortable: true,
    extract: on<RelatedPerson>((r) => humanNameStrings(r.name)),
  },
  ...telecomParams<RelatedPerson>(),
];

const PRACTITIONER: SearchParam[] = [
  {
    code: 'identifier',
    type: 'token',
    description: 'Identifier, e.g. the sandbox login.',
    extract: on<Practitioner>((r) => identifierTokens(r.identifier)),
  },
  {
    code: 'name',
    type: 'string',
    description: 'Any part of a name.',
    sortable: true,
    extract: on<Practitioner>((r) => humanNameStrings(r.name)),
  },
  {
    code: 'family',
    type: 'string',
    description: 'Family name.',
    sortable: true,
    extract: on<Practitioner>((r) => humanNameStrings(r.name, 'family')),
  },
  {
    code: 'given',
    type: 'string',
    description: 'Given name.',
    sortable: true,
    extract: on<Practitioner>((r) => humanNameStrings(r.name, 'given')),
  },
  ...telecomParams<Practitioner>(),
];

const PRACTITIONER_ROLE: SearchParam[] = [
  {
    code: 'identifier',
    type: 'token',
    description: 'Identifier.',
    extract: on<PractitionerRole>((r) => identifierTokens(r.identifier)),
  },
  {
    code: 'practitioner',
    type: 'reference',
    targets: ['Practitioner'],
    description: 'The practitioner in this role.',
    extract: on<PractitionerRole>((r) => referenceValues(r.practitioner)),
  },
  {
    code: 'organization',
    type: 'reference',
    targets: ['Organization'],
    description: 'The organization the role is at.',
    extract: on<PractitionerRole>((r) => referenceValues(r.organization)),
  },
  {
    code: 'role',
    type: 'token',
    description: 'Role codings.',
    extract: on<PractitionerRole>((r) => conceptTokens(r.code)),
  },
];

const ORGANIZATION: SearchParam[] = [
  {
    code: 'identifier',
    type: 'token',
    description: 'Identifier.',
    extract: on<Organization>((r) => identifierTokens(r.identifier)),
  },
  {
    code: 'name',
    type: 'string',
    description: 'Name or alias.',
    sortable: true,
    extract: on<Organization>((r) => stringValues(r.name, r.alias)),
  },
  ...telecomParams<Organization>(),
];

/** Supported resource types and their search parameters (beyond `_id` and `_lastUpdated`). */
const TABLE: Record<string, SearchParam[]> = {
  Patient: PATIENT,
  Practitioner: PRACTITIONER,
  PractitionerRole: PRACTITIONER_ROLE,
  Organization: ORGANIZATION,
  RelatedPerson: RELATED_PERSON,
  Communication: COMMUNICATION,
  Task: TASK,
  Consent: CONSENT,
  Binary: [],
};

/** Resource types the sandbox stores and serves. */
export const SUPPORTED_TYPES: readonly string[] = Object.keys(TABLE);

/** Resource types that can be searched (Binary is read/created only, as on most servers). */
export const SEARCHABLE_TYPES: readonly string[] = SUPPORTED_TYPES.filter((t) => t !== 'Binary');

const BY_TYPE = new Map<string, Map<string, SearchParam>>(
  Object.entries(TABLE).map(([type, params]) => [type, new Map([...COMMON, ...params].map((p) => [p.code, p]))]),
);

/** The supported search parameters of a resource type (empty when the type is not supported). */
export function searchParamsOf(resourceType: string): ReadonlyMap<string, SearchParam> {
  return BY_TYPE.get(resourceType) ?? new Map();
}

/** True when the sandbox stores this resource type. */
export function isSupportedType(resourceType: string): boolean {
  return BY_TYPE.has(resourceType);
}
