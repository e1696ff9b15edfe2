/**
 * ChartText's FHIR vocabulary: every system URI, code, identifier system, extension URL and profile URL the project
 * uses. Client, relay, sandbox and tests import from here; no FHIR system string is written anywhere else.
 * The FSH profiles under fhir-profiles/input/ must agree with this module (checked by a test).
 */
import type { CodeableConcept, Coding } from '@medplum/fhirtypes';

/** Canonical base of ChartText's own conformance resources (profiles, extensions, code systems). */
export const CHARTTEXT_CANONICAL = 'https://charttext.org/fhir';

const cs = (name: string): string => `${CHARTTEXT_CANONICAL}/CodeSystem/${name}`;
const vs = (name: string): string => `${CHARTTEXT_CANONICAL}/ValueSet/${name}`;
const ext = (name: string): string => `${CHARTTEXT_CANONICAL}/StructureDefinition/${name}`;
const sid = (name: string): string => `${CHARTTEXT_CANONICAL}/sid/${name}`;

/** Canonical base of the FHIR core specification's own conformance resources (SearchParameter, StructureDefinition…). */
export const FHIR_CORE_CANONICAL = 'http://hl7.org/fhir';

/** Code systems and value sets defined outside ChartText (HL7, IETF, Twilio). */
export const EXTERNAL_SYSTEMS = {
  /** v3 ParticipationMode; SMSWRIT = "SMS message". Note http, not https. */
  participationMode: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationMode',
  communicationCategory: 'http://terminology.hl7.org/CodeSystem/communication-category',
  consentScope: 'http://terminology.hl7.org/CodeSystem/consentscope',
  consentCategory: 'http://terminology.hl7.org/CodeSystem/consentcategorycodes',
  v3ActCode: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
  v2IdentifierType: 'http://terminology.hl7.org/CodeSystem/v2-0203',
  /** v3 RoleCode: RelatedPerson.relationship (FTH, MTH, …). */
  v3RoleCode: 'http://terminology.hl7.org/CodeSystem/v3-RoleCode',
  taskIntent: 'http://hl7.org/fhir/task-intent',
  /** FHIR's event-status code system (Communication.status); the outbound and thread value sets pick from it. */
  eventStatus: 'http://hl7.org/fhir/event-status',
  /** CapabilityStatement.rest.security.service: SMART-on-FHIR. */
  restfulSecurityService: 'http://terminology.hl7.org/CodeSystem/restful-security-service',
  loinc: 'http://loinc.org',
  bcp47: 'urn:ietf:bcp:47',
  /** E.164 numbers as identifiers (RFC 3966 tel URIs). */
  tel: 'urn:ietf:rfc:3966',
  /** Twilio's error dictionary, used as the code system for Twilio error codes in statusReason. */
  twilioError: 'https://www.twilio.com/docs/api/errors',
  /** Medical record number namespace used by the sandbox EHR. */
  sandboxMrn: 'urn:oid:2.16.840.1.113883.3.9999.1',
} as const;

/** ChartText's own code systems. */
export const CODE_SYSTEMS = {
  /** Direction of an SMS message relative to the practice. */
  direction: cs('message-direction'),
  /** Kinds of ChartText Communication: thread header, message, unmatched inbound. */
  communicationKind: cs('communication-kind'),
  /** Task codes for front-desk work items. */
  task: cs('task-code'),
  /** Task.businessStatus values. */
  taskBusinessStatus: cs('task-business-status'),
  /** Reasons the relay stopped an outbound message without (or after) calling Twilio. */
  stopReason: cs('stop-reason'),
  /** Kinds of consent ChartText records. */
  consentKind: cs('consent-kind'),
  /** Why a ContactPoint was flagged as unable to receive SMS. */
  numberFlag: cs('number-flag'),
  /** Twilio's message status values (raw, as Twilio spells them); see TWILIO_MESSAGE_STATUS. */
  twilioStatus: cs('twilio-message-status'),
  /** SMS encodings (GSM-7, UCS-2). */
  smsEncoding: cs('sms-encoding'),
} as const;

/** ChartText's value sets (one per code system, plus the per-profile subsets the profiles bind). */
export const VALUE_SETS = {
  direction: vs('message-direction'),
  task: vs('task-code'),
  taskBusinessStatus: vs('task-business-status'),
  stopReason: vs('stop-reason'),
  communicationKind: vs('communication-kind'),
  consentKind: vs('consent-kind'),
  numberFlag: vs('number-flag'),
  twilioStatus: vs('twilio-message-status'),
  smsEncoding: vs('sms-encoding'),
  /** waiting, answered, no-reply-needed. */
  needsResponseBusinessStatus: vs('needs-response-business-status'),
  /** waiting, linked, wrong-number, spam. */
  triageBusinessStatus: vs('triage-business-status'),
  /** Communication.status of an outbound message: preparation, in-progress, completed, stopped. */
  outboundStatus: vs('outbound-sms-status'),
  /** Communication.status of a thread header: in-progress (open), completed (closed). */
  threadStatus: vs('thread-status'),
} as const;

/** Identifier systems. */
export const IDENTIFIER_SYSTEMS = {
  /** Twilio Message SID (SM…/MM…) on a Communication: the idempotency key of webhooks and callbacks. */
  twilioMessageSid: sid('twilio-message-sid'),
  /**
   * The SIDs of earlier send attempts of an outbound message (set by Retry, `use: old`): kept so that late callbacks
   * and the relay's log lookup never take the old SMS for the new attempt (docs/decisions/058).
   */
  previousTwilioMessageSid: sid('previous-twilio-message-sid'),
  /** Thread header key: `<Patient or RelatedPerson reference>|<practice number E.164>`; makes header creation idempotent. */
  thread: sid('thread'),
  /** Unmatched-inbound Task key (the SID of the message being triaged). */
  triage: sid('triage'),
  /** Client-generated key of an outbound message (a UUID), so a retried create never makes two. */
  clientMessageId: sid('client-message-id'),
  /** Staff user logins in the sandbox EHR. */
  sandboxUser: sid('sandbox-user'),
} as const;

/** Extension URLs. */
export const EXTENSIONS = {
  /** Raw Twilio message status (queued, sent, delivered, undelivered, failed, received, …). valueCode. */
  twilioStatus: ext('twilio-status'),
  /** Twilio error: complex, with `code` (valueInteger) and `message` (valueString). */
  twilioError: ext('twilio-error'),
  /** Number of SMS segments the message occupies. valuePositiveInt. */
  segmentCount: ext('segment-count'),
  /** SMS encoding (GSM-7 or UCS-2). valueCode. */
  encoding: ext('sms-encoding'),
  /** E.164 number the message was sent from. valueString. */
  fromNumber: ext('from-number'),
  /** E.164 number the message was sent to. valueString. */
  toNumber: ext('to-number'),
  /** Number of send attempts the relay made (Retry increments it). valuePositiveInt. */
  sendAttempt: ext('send-attempt'),
  /** When the relay claimed the message for sending (to resolve claims that never reached Twilio). valueDateTime. */
  claimedAt: ext('claimed-at'),
  /** On a ContactPoint: flagged as unable to receive SMS. valueCoding from CODE_SYSTEMS.numberFlag. */
  numberFlag: ext('sms-number-flag'),
  /** On Organization.telecom: marks the practice's SMS number. valueBoolean. */
  practiceSmsNumber: ext('practice-sms-number'),
  /** Time the message was read by staff (Task-based read state stays authoritative). valueDateTime. */
  readAt: ext('read-at'),
} as const;

/** Sub-extension URLs of the complex EXTENSIONS.twilioError. */
export const TWILIO_ERROR_PARTS = {
  /** valueInteger: Twilio's error code, e.g. 30006. */
  code: 'code',
  /** valueString: Twilio's error text. */
  message: 'message',
} as const;

/** Extensions defined outside ChartText that ChartText writes (in its requirements CapabilityStatement). */
export const EXTERNAL_EXTENSIONS = {
  /** SHALL / SHOULD / MAY on a requirements CapabilityStatement element. */
  capabilityExpectation: 'http://hl7.org/fhir/StructureDefinition/capabilitystatement-expectation',
  /** SMART capability codes on CapabilityStatement.rest.security (SMART App Launch 1.0 convention). */
  smartCapabilities: 'http://fhir-registry.smarthealthit.org/StructureDefinition/capabilities',
  /** OAuth endpoints (authorize, token, …) on CapabilityStatement.rest.security (SMART App Launch 1.0 convention). */
  smartOAuthUris: 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris',
} as const;

/** Profile URLs (StructureDefinition canonicals). */
export const PROFILES = {
  outboundMessage: ext('ChartTextOutboundSms'),
  inboundMessage: ext('ChartTextInboundSms'),
  unmatchedInbound: ext('ChartTextUnmatchedInboundSms'),
  threadHeader: ext('ChartTextThreadHeader'),
  smsConsent: ext('ChartTextSmsConsent'),
  needsResponseTask: ext('ChartTextNeedsResponseTask'),
  triageTask: ext('ChartTextTriageTask'),
} as const;

/** Codes, grouped by the system they belong to. */
export const CODES = {
  medium: { sms: 'SMSWRIT' },
  direction: { inbound: 'inbound', outbound: 'outbound' },
  communicationKind: { threadHeader: 'thread-header', message: 'message', unmatched: 'unmatched' },
  communicationCategory: { notification: 'notification', reminder: 'reminder', instruction: 'instruction' },
  task: { needsResponse: 'needs-response', triageUnmatched: 'triage-unmatched' },
  taskBusinessStatus: {
    waiting: 'waiting',
    answered: 'answered',
    noReplyNeeded: 'no-reply-needed',
    linked: 'linked',
    wrongNumber: 'wrong-number',
    spam: 'spam',
  },
  stopReason: {
    noSmsNumber: 'no-sms-number',
    consentDenied: 'consent-denied',
    twilioRejected: 'twilio-rejected',
    deliveryFailed: 'delivery-failed',
    canceled: 'canceled',
  },
  consentKind: { sms: 'sms' },
  consentScope: { patientPrivacy: 'patient-privacy' },
  consentCategory: { patientConsent: '59284-0' },
  /** Consent.policyRule (v3 ActCode): texting is allowed unless the patient opts out. */
  consentPolicy: { optOut: 'OPTOUT' },
  /** EXTENSIONS.encoding values, spelled as sms-segments-calculator spells them. */
  encoding: { gsm7: 'GSM-7', ucs2: 'UCS-2' },
  numberFlag: { invalid: 'invalid-number', notMobile: 'not-mobile', landline: 'landline' },
  identifierType: { mrn: 'MR' },
  /** CapabilityStatement.rest.security.service. */
  securityService: { smart: 'SMART-on-FHIR' },
} as const;

export type Direction = (typeof CODES.direction)[keyof typeof CODES.direction];
export type StopReason = (typeof CODES.stopReason)[keyof typeof CODES.stopReason];
export type TaskCode = (typeof CODES.task)[keyof typeof CODES.task];
export type TaskBusinessStatus = (typeof CODES.taskBusinessStatus)[keyof typeof CODES.taskBusinessStatus];
export type CommunicationKind = (typeof CODES.communicationKind)[keyof typeof CODES.communicationKind];
export type NumberFlag = (typeof CODES.numberFlag)[keyof typeof CODES.numberFlag];

/** Ready-made codings and concepts for the values every writer needs. */
export const CONCEPTS = {
  smsMedium: {
    coding: [{ system: EXTERNAL_SYSTEMS.participationMode, code: CODES.medium.sms, display: 'SMS message' }],
  },
  direction: (direction: Direction): CodeableConcept => ({
    coding: [{ system: CODE_SYSTEMS.direction, code: direction }],
  }),
  kind: (kind: (typeof CODES.communicationKind)[keyof typeof CODES.communicationKind]): CodeableConcept => ({
    coding: [{ system: CODE_SYSTEMS.communicationKind, code: kind }],
  }),
  task: (code: TaskCode): CodeableConcept => ({ coding: [{ system: CODE_SYSTEMS.task, code }] }),
  taskBusinessStatus: (code: TaskBusinessStatus): CodeableConcept => ({
    coding: [{ system: CODE_SYSTEMS.taskBusinessStatus, code }],
  }),
  stopReason: (code: StopReason, text?: string): CodeableConcept => ({
    coding: [{ system: CODE_SYSTEMS.stopReason, code }],
    ...(text ? { text } : {}),
  }),
  smsConsentScope: {
    coding: [{ system: EXTERNAL_SYSTEMS.consentScope, code: CODES.consentScope.patientPrivacy }],
  },
  smsConsentCategory: {
    coding: [
      { system: EXTERNAL_SYSTEMS.loinc, code: CODES.consentCategory.patientConsent },
      { system: CODE_SYSTEMS.consentKind, code: CODES.consentKind.sms },
    ],
  },
  smsConsentPolicy: { coding: [{ system: EXTERNAL_SYSTEMS.v3ActCode, code: CODES.consentPolicy.optOut }] },
  mrnType: { coding: [{ system: EXTERNAL_SYSTEMS.v2IdentifierType, code: CODES.identifierType.mrn }] },
} satisfies Record<string, CodeableConcept | ((...args: never[]) => CodeableConcept)>;

/** Search-parameter tokens (`system|code`) for the searches the app and relay make. */
export const TOKENS = {
  smsMedium: `${EXTERNAL_SYSTEMS.participationMode}|${CODES.medium.sms}`,
  inbound: `${CODE_SYSTEMS.direction}|${CODES.direction.inbound}`,
  outbound: `${CODE_SYSTEMS.direction}|${CODES.direction.outbound}`,
  threadHeader: `${CODE_SYSTEMS.communicationKind}|${CODES.communicationKind.threadHeader}`,
  message: `${CODE_SYSTEMS.communicationKind}|${CODES.communicationKind.message}`,
  unmatched: `${CODE_SYSTEMS.communicationKind}|${CODES.communicationKind.unmatched}`,
  smsConsent: `${CODE_SYSTEMS.consentKind}|${CODES.consentKind.sms}`,
  needsResponse: `${CODE_SYSTEMS.task}|${CODES.task.needsResponse}`,
  triageUnmatched: `${CODE_SYSTEMS.task}|${CODES.task.triageUnmatched}`,
  twilioSid: (messageSid: string): string => `${IDENTIFIER_SYSTEMS.twilioMessageSid}|${messageSid}`,
  previousTwilioSid: (messageSid: string): string => `${IDENTIFIER_SYSTEMS.previousTwilioMessageSid}|${messageSid}`,
  thread: (key: string): string => `${IDENTIFIER_SYSTEMS.thread}|${key}`,
  clientMessageId: (id: string): string => `${IDENTIFIER_SYSTEMS.clientMessageId}|${id}`,
} as const;

/** True when a concept carries the given system and code. */
export function hasCoding(
  concept: CodeableConcept | CodeableConcept[] | undefined,
  system: string,
  code: string,
): boolean {
  const concepts = Array.isArray(concept) ? concept : concept ? [concept] : [];
  return concepts.some((c) => c.coding?.some((coding: Coding) => coding.system === system && coding.code === code));
}

/** The code of the first coding from `system`, if any. */
export function codeFrom(concept: CodeableConcept | CodeableConcept[] | undefined, system: string): string | undefined {
  const concepts = Array.isArray(concept) ? concept : concept ? [concept] : [];
  for (const c of concepts) {
    const found = c.coding?.find((coding) => coding.system === system);
    if (found?.code) return found.code;
  }
  return undefined;
}

/**
 * Twilio message statuses, as kept raw in the EXTENSIONS.twilioStatus extension (valueCode).
 * https://www.twilio.com/docs/messaging/api/message-resource#message-status-values
 */
export const TWILIO_MESSAGE_STATUS = {
  queued: 'queued',
  accepted: 'accepted',
  scheduled: 'scheduled',
  sending: 'sending',
  sent: 'sent',
  delivered: 'delivered',
  read: 'read',
  undelivered: 'undelivered',
  failed: 'failed',
  canceled: 'canceled',
  receiving: 'receiving',
  received: 'received',
  partiallyDelivered: 'partially_delivered',
} as const;

export type TwilioMessageStatus = (typeof TWILIO_MESSAGE_STATUS)[keyof typeof TWILIO_MESSAGE_STATUS];
