/**
 * What ChartText needs from an EHR: FHIR interactions, searches and SMART capabilities, per actor (the app with the
 * user's token, the relay with its backend-services token). One typed list, from which the requirements
 * CapabilityStatement (kind = requirements, https://hl7.org/fhir/R4/capabilitystatement.html) is derived.
 * The hospital-IT preflight (`npm run doctor`) checks an EHR against it; docs/fhir.md and docs/registration.md explain it.
 */
import type {
  CapabilityStatement,
  CapabilityStatementRestResource,
  CapabilityStatementRestResourceInteraction,
  CapabilityStatementRestResourceSearchParam,
  Extension,
  ResourceType,
} from '@medplum/fhirtypes';
import {
  CHARTTEXT_CANONICAL,
  CODES,
  EXTERNAL_EXTENSIONS,
  EXTERNAL_SYSTEMS,
  FHIR_CORE_CANONICAL,
  PROFILES,
} from './vocabulary';

/** How strongly ChartText needs something (CapabilityStatement expectation extension). */
export type Expectation = 'SHALL' | 'SHOULD' | 'MAY';
/** Who makes the call: the app (user token) or the relay (backend-services token). */
export type Actor = 'app' | 'relay';
/** The R4 type-level interactions ChartText uses. */
export type Interaction = 'read' | 'create' | 'update' | 'search-type';
/** R4 search parameter types ChartText uses. */
export type SearchParamType = 'token' | 'reference' | 'date' | 'string';

/** One search parameter, with the id of its R4 SearchParameter definition. */
export interface SearchRequirement {
  name: string;
  type: SearchParamType;
  /** Id of the R4 SearchParameter (http://hl7.org/fhir/SearchParameter/<id>). */
  definition: string;
  expectation: Expectation;
  why: string;
}

/** What ChartText needs for one resource type. */
export interface ResourceRequirement {
  type: ResourceType;
  /** ChartText profiles of this type (what ChartText writes). */
  profiles?: string[];
  interactions: { code: Interaction; actors: Actor[]; expectation: Expectation; why: string }[];
  search?: SearchRequirement[];
  /** Conditional create (If-None-Exist): idempotent creates keyed on an identifier. */
  conditionalCreate?: { expectation: Expectation; why: string };
  /** Versioned update (If-Match on the ETag): claims and one-way status changes. */
  versionedUpdate?: { expectation: Expectation; why: string };
}

const sp = (
  name: string,
  type: SearchParamType,
  definition: string,
  expectation: Expectation,
  why: string,
): SearchRequirement => ({ name, type, definition, expectation, why }) satisfies SearchRequirement;

const LAST_UPDATED = sp('_lastUpdated', 'date', 'Resource-lastUpdated', 'SHALL', 'Incremental polling (gt…)');
const ID = sp('_id', 'token', 'Resource-id', 'SHOULD', 'Batch reads of several resources');

/** The FHIR REST requirements, resource by resource. */
export const EHR_REQUIREMENTS: readonly ResourceRequirement[] = [
  {
    type: 'Patient',
    interactions: [
      {
        code: 'read',
        actors: ['app', 'relay'],
        expectation: 'SHALL',
        why: 'Banner, thread subject; the relay reads the destination from telecom',
      },
      {
        code: 'search-type',
        actors: ['app', 'relay'],
        expectation: 'SHALL',
        why: 'Match an inbound number to a patient; front-desk patient search',
      },
      {
        code: 'update',
        actors: ['app', 'relay'],
        expectation: 'SHOULD',
        why: 'Add a confirmed number to telecom; flag a number that cannot receive SMS',
      },
    ],
    search: [
      sp('phone', 'token', 'individual-phone', 'SHALL', 'Match inbound SMS by phone number'),
      sp('telecom', 'token', 'individual-telecom', 'SHOULD', 'Fallback when phone is not supported'),
      sp('name', 'string', 'Patient-name', 'SHALL', 'Front-desk search when linking an unknown number'),
      sp('birthdate', 'date', 'individual-birthdate', 'SHOULD', 'Narrow the front-desk search'),
      sp('identifier', 'token', 'Patient-identifier', 'MAY', 'Search by MRN'),
      ID,
    ],
  },
  {
    type: 'RelatedPerson',
    interactions: [
      { code: 'read', actors: ['app', 'relay'], expectation: 'SHOULD', why: 'Texts to and from a parent or caregiver' },
      { code: 'search-type', actors: ['app', 'relay'], expectation: 'SHOULD', why: 'Match a shared family number' },
    ],
    search: [
      sp('phone', 'token', 'individual-phone', 'SHOULD', 'Match inbound SMS by phone number'),
      sp('patient', 'reference', 'RelatedPerson-patient', 'SHOULD', 'Family members of a patient'),
    ],
  },
  {
    type: 'Practitioner',
    interactions: [
      { code: 'read', actors: ['app'], expectation: 'SHALL', why: 'The signed-in user (fhirUser) and message authors' },
      { code: 'search-type', actors: ['app'], expectation: 'SHOULD', why: 'Assignment picker' },
    ],
    search: [sp('name', 'string', 'Practitioner-name', 'SHOULD', 'Assignment picker'), ID],
  },
  {
    type: 'PractitionerRole',
    interactions: [
      { code: 'read', actors: ['app'], expectation: 'MAY', why: 'Assignment to a role' },
      { code: 'search-type', actors: ['app'], expectation: 'SHOULD', why: 'Assignment picker' },
    ],
    search: [
      sp('practitioner', 'reference', 'PractitionerRole-practitioner', 'MAY', 'Roles of a practitioner'),
      sp(
        'organization',
        'reference',
        'PractitionerRole-organization',
        'SHOULD',
        'Staff of the practice (assignment picker)',
      ),
    ],
  },
  {
    type: 'Organization',
    interactions: [
      { code: 'read', actors: ['app', 'relay'], expectation: 'SHALL', why: 'The practice and its SMS number' },
    ],
  },
  {
    type: 'Communication',
    profiles: [PROFILES.outboundMessage, PROFILES.inboundMessage, PROFILES.unmatchedInbound, PROFILES.threadHeader],
    interactions: [
      {
        code: 'create',
        actors: ['app', 'relay'],
        expectation: 'SHALL',
        why: 'The app writes outbound messages and thread headers; the relay writes inbound messages',
      },
      {
        code: 'read',
        actors: ['app', 'relay'],
        expectation: 'SHALL',
        why: 'Thread view; the relay re-reads before a versioned update',
      },
      {
        code: 'update',
        actors: ['app', 'relay'],
        expectation: 'SHALL',
        why: 'The relay claims, sends and records status; the app closes threads and links unmatched messages',
      },
      {
        code: 'search-type',
        actors: ['app', 'relay'],
        expectation: 'SHALL',
        why: 'Threads, inbox, the relay’s sweep for pending messages, SID look-ups',
      },
    ],
    search: [
      sp('subject', 'reference', 'Communication-subject', 'SHALL', 'A patient’s thread'),
      sp('part-of', 'reference', 'Communication-part-of', 'SHALL', 'Messages of a thread'),
      sp('status', 'token', 'Communication-status', 'SHALL', 'The relay’s sweep (status=preparation)'),
      sp('medium', 'token', 'Communication-medium', 'SHALL', 'Only SMS (SMSWRIT)'),
      sp('category', 'token', 'Communication-category', 'SHALL', 'Thread headers, unmatched messages, direction'),
      sp(
        'identifier',
        'token',
        'Communication-identifier',
        'SHALL',
        'Twilio SID look-up (status callbacks, replays), thread keys',
      ),
      sp('sent', 'date', 'Communication-sent', 'SHOULD', 'Reconciliation window'),
      LAST_UPDATED,
    ],
    conditionalCreate: {
      expectation: 'SHALL',
      why: 'Inbound on the Twilio SID and headers on the thread key: a replay creates nothing',
    },
    versionedUpdate: {
      expectation: 'SHALL',
      why: 'The relay claims a message with If-Match, so two relays never send it twice',
    },
  },
  {
    type: 'Task',
    profiles: [PROFILES.needsResponseTask, PROFILES.triageTask],
    interactions: [
      {
        code: 'create',
        actors: ['relay', 'app'],
        expectation: 'SHALL',
        why: 'Needs-response and triage work items; the app opens one when staff link a text from an unknown number',
      },
      { code: 'read', actors: ['app', 'relay'], expectation: 'SHALL', why: 'Inbox' },
      { code: 'update', actors: ['app', 'relay'], expectation: 'SHALL', why: 'Assign, answer, reopen, close' },
      { code: 'search-type', actors: ['app', 'relay'], expectation: 'SHALL', why: 'Inbox tabs and counts' },
    ],
    search: [
      sp('code', 'token', 'Task-code', 'SHALL', 'Needs-response vs triage'),
      sp('status', 'token', 'Task-status', 'SHALL', 'Open items'),
      sp('focus', 'reference', 'Task-focus', 'SHALL', 'The Task of a thread'),
      sp('owner', 'reference', 'Task-owner', 'SHALL', 'Assigned to me / unassigned'),
      sp('patient', 'reference', 'Task-patient', 'SHOULD', 'Items of a patient'),
      sp('identifier', 'token', 'Task-identifier', 'SHALL', 'Triage Task of a message'),
      LAST_UPDATED,
    ],
    conditionalCreate: { expectation: 'SHALL', why: 'One triage Task per unmatched message' },
    versionedUpdate: { expectation: 'SHOULD', why: 'Two staff members closing the same item' },
  },
  {
    type: 'Consent',
    profiles: [PROFILES.smsConsent],
    interactions: [
      {
        code: 'create',
        actors: ['app', 'relay'],
        expectation: 'SHALL',
        why: 'STOP/START keywords; staff record a choice',
      },
      { code: 'read', actors: ['app', 'relay'], expectation: 'SHALL', why: 'Consent banner' },
      { code: 'update', actors: ['app', 'relay'], expectation: 'SHALL', why: 'A later STOP or START' },
      {
        code: 'search-type',
        actors: ['app', 'relay'],
        expectation: 'SHALL',
        why: 'The relay checks consent before every send',
      },
    ],
    search: [
      sp('patient', 'reference', 'clinical-patient', 'SHALL', 'Consent of the recipient'),
      sp('category', 'token', 'Consent-category', 'SHALL', 'Only the SMS consent'),
      sp('status', 'token', 'Consent-status', 'SHOULD', 'Active consents'),
    ],
  },
  {
    type: 'Binary',
    interactions: [
      { code: 'create', actors: ['relay'], expectation: 'SHOULD', why: 'MMS pictures from patients' },
      { code: 'read', actors: ['app'], expectation: 'SHOULD', why: 'Show MMS pictures' },
    ],
  },
  {
    type: 'Subscription',
    interactions: [
      {
        code: 'create',
        actors: ['relay'],
        expectation: 'MAY',
        why: 'Hear about new outbound messages at once instead of at the next sweep',
      },
      {
        code: 'search-type',
        actors: ['relay'],
        expectation: 'MAY',
        why: 'Find the relay’s own subscription after a restart',
      },
    ],
    search: [sp('criteria', 'string', 'Subscription-criteria', 'MAY', 'The relay’s own subscription')],
  },
];

/** A SMART capability (https://hl7.org/fhir/smart-app-launch/conformance.html#capabilities) and why. */
export interface SmartCapabilityRequirement {
  code: string;
  actors: Actor[];
  expectation: Expectation;
  why: string;
}

/** SMART App Launch 2.x requirements, checked against `.well-known/smart-configuration`. */
export const SMART_REQUIREMENTS = {
  capabilities: [
    { code: 'launch-ehr', actors: ['app'], expectation: 'SHALL', why: 'Open ChartText from the chart' },
    {
      code: 'launch-standalone',
      actors: ['app'],
      expectation: 'SHOULD',
      why: 'Open the practice inbox outside a chart',
    },
    {
      code: 'client-public',
      actors: ['app'],
      expectation: 'SHALL',
      why: 'The app is a browser app with PKCE, no secret',
    },
    {
      code: 'client-confidential-asymmetric',
      actors: ['relay'],
      expectation: 'SHALL',
      why: 'Backend services with private_key_jwt',
    },
    { code: 'context-ehr-patient', actors: ['app'], expectation: 'SHALL', why: 'The patient of the chart' },
    { code: 'sso-openid-connect', actors: ['app'], expectation: 'SHALL', why: 'fhirUser: who is writing' },
    {
      code: 'permission-v2',
      actors: ['app', 'relay'],
      expectation: 'SHOULD',
      why: 'Least-privilege scopes (.rs, .cu); v1 works too',
    },
    { code: 'permission-patient', actors: ['app'], expectation: 'SHALL', why: 'patient/ scopes in the chart' },
    { code: 'permission-user', actors: ['app'], expectation: 'SHALL', why: 'user/ scopes for the practice inbox' },
    { code: 'permission-offline', actors: ['app'], expectation: 'MAY', why: 'Refresh tokens for a long session' },
  ] satisfies SmartCapabilityRequirement[],
  /** PKCE (RFC 7636): the app sends S256 challenges. */
  codeChallengeMethods: ['S256'],
  /** The relay authenticates with a signed JWT (SMART Backend Services). */
  tokenEndpointAuthMethods: ['private_key_jwt'],
  grantTypes: ['authorization_code', 'client_credentials'],
  /** Signing algorithms the relay can use for its client assertion. */
  assertionAlgorithms: ['RS384', 'ES384'],
} as const;

const expectation = (value: Expectation): Extension => ({
  url: EXTERNAL_EXTENSIONS.capabilityExpectation,
  valueCode: value,
});

function restResource(req: ResourceRequirement): CapabilityStatementRestResource {
  const interaction: CapabilityStatementRestResourceInteraction[] = req.interactions.map((i) => ({
    extension: [expectation(i.expectation)],
    code: i.code,
    documentation: `${i.actors.join(' and ')}: ${i.why}`,
  }));
  const searchParam: CapabilityStatementRestResourceSearchParam[] = (req.search ?? []).map((s) => ({
    extension: [expectation(s.expectation)],
    name: s.name,
    definition: `${FHIR_CORE_CANONICAL}/SearchParameter/${s.definition}`,
    type: s.type,
    documentation: s.why,
  }));
  const strongest = (['SHALL', 'SHOULD', 'MAY'] as const).find((e) =>
    req.interactions.some((i) => i.expectation === e),
  );
  const documentation = [
    req.conditionalCreate &&
      `Conditional create (If-None-Exist), ${req.conditionalCreate.expectation}: ${req.conditionalCreate.why}.`,
    req.versionedUpdate &&
      `Versioned update (If-Match), ${req.versionedUpdate.expectation}: ${req.versionedUpdate.why}.`,
  ]
    .filter(Boolean)
    .join(' ');
  return {
    extension: [expectation(strongest ?? 'MAY')],
    type: req.type,
    ...(req.profiles ? { supportedProfile: req.profiles } : {}),
    interaction,
    ...(req.versionedUpdate ? { versioning: 'versioned-update' as const } : {}),
    ...(req.conditionalCreate ? { conditionalCreate: true } : {}),
    ...(searchParam.length ? { searchParam } : {}),
    ...(documentation ? { documentation } : {}),
  };
}

/** The requirements CapabilityStatement (kind = requirements), derived from EHR_REQUIREMENTS and SMART_REQUIREMENTS. */
export const REQUIREMENTS_CAPABILITY_STATEMENT: CapabilityStatement = {
  resourceType: 'CapabilityStatement',
  id: 'charttext-requirements',
  url: `${CHARTTEXT_CANONICAL}/CapabilityStatement/charttext-requirements`,
  version: '0.1.0',
  name: 'ChartTextEhrRequirements',
  title: 'What ChartText needs from an EHR',
  status: 'draft',
  date: '2025-03-01',
  publisher: 'ChartText',
  description:
    'The FHIR R4 interactions, searches and SMART on FHIR capabilities ChartText needs from an EHR: the app acts with the signed-in user’s token, the relay with its own SMART Backend Services token (system/ scopes).',
  kind: 'requirements',
  fhirVersion: '4.0.1',
  format: ['json'],
  rest: [
    {
      mode: 'server',
      documentation:
        'The EHR’s FHIR server, as the ChartText app and relay use it. SHALL items are needed to run; SHOULD items degrade a feature; MAY items are used when present.',
      security: {
        extension: SMART_REQUIREMENTS.capabilities.map((c) => ({
          url: EXTERNAL_EXTENSIONS.smartCapabilities,
          valueCode: c.code,
        })),
        service: [{ coding: [{ system: EXTERNAL_SYSTEMS.restfulSecurityService, code: CODES.securityService.smart }] }],
        description: [
          'SMART App Launch 2.x with PKCE S256 for the app; SMART Backend Services (client_credentials, private_key_jwt with RS384 or ES384) for the relay.',
          ...SMART_REQUIREMENTS.capabilities.map(
            (c) => `${c.code} (${c.expectation}, ${c.actors.join(' and ')}): ${c.why}.`,
          ),
        ].join(' '),
      },
      resource: EHR_REQUIREMENTS.map(restResource),
    },
  ],
};
