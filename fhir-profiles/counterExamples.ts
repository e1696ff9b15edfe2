/**
 * Counter-examples: each starts from one of the FSH examples (fhir-profiles/input/fsh/examples), breaks one rule,
 * and names the message validation must give. fhir-profiles/validate.test.ts runs them; docs/fhir.md cites them.
 *
 * Edits use small paths: `a.b[0].c`, and `key:suffix` to pick the array item whose url or system ends in `/suffix`
 * (e.g. `extension:segment-count`, `identifier:twilio-message-sid`).
 */
import type { Resource } from '@medplum/fhirtypes';

/** One broken resource and the issue it must raise. */
export interface CounterExample {
  /** What is wrong, in words. */
  name: string;
  /** Id of the example it starts from. */
  from: string;
  /** Values to set (path → JSON value). */
  set?: [path: string, value: unknown][];
  /** Paths to remove. */
  remove?: string[];
  /** A substring of the expected issue's details.text. */
  message: string;
  /** The expected issue's expression. */
  expression: string;
  /** True when @medplum/core's own profile validation accepts it: a gap fhir-profiles/checkSnapshot.ts closes. */
  medplumMisses?: boolean;
}

const SID = 'identifier:twilio-message-sid';

/** The table. */
export const COUNTER_EXAMPLES: CounterExample[] = [
  // Outbound SMS
  {
    name: 'Twilio SID identifier without a value',
    from: 'inbound-reply',
    remove: [`${SID}.value`],
    message: 'Communication.identifier:twilioSid.value is missing: expected 1..1, found 0',
    expression: 'Communication.identifier[0].value',
    medplumMisses: true,
  },
  {
    name: 'Twilio SID that is not SM/MM + 32 hex digits',
    from: 'outbound-delivered',
    set: [[`${SID}.value`, 'SM123']],
    message: 'Constraint ctt-sid not met',
    expression: 'Communication.identifier[1]',
    medplumMisses: true,
  },
  {
    name: 'status outside the outbound state machine',
    from: 'outbound-pending',
    set: [['status', 'on-hold']],
    message: '"on-hold" is not in value set https://charttext.org/fhir/ValueSet/outbound-sms-status',
    expression: 'Communication.status',
    medplumMisses: true,
  },
  {
    name: 'medium without SMS',
    from: 'outbound-pending',
    set: [['medium', [{ text: 'text message' }]]],
    message: 'Communication.medium:sms is missing',
    expression: 'Communication.medium',
  },
  {
    name: 'outbound profile with the inbound direction',
    from: 'outbound-pending',
    set: [['category[0].coding[0].code', 'inbound']],
    message: 'Communication.category:direction is missing',
    expression: 'Communication.category',
  },
  {
    name: 'stopped without a statusReason',
    from: 'outbound-consent-denied',
    remove: ['statusReason'],
    message: 'Constraint ctt-out-1 not met: A stopped message says why in statusReason.',
    expression: 'Communication',
  },
  {
    name: 'statusReason without a stop-reason code',
    from: 'outbound-consent-denied',
    set: [['statusReason', { coding: [{ system: 'https://www.twilio.com/docs/api/errors', code: '21610' }] }]],
    message: 'is not in value set https://charttext.org/fhir/ValueSet/stop-reason',
    expression: 'Communication.statusReason',
    medplumMisses: true,
  },
  {
    name: 'sent time without a Twilio SID',
    from: 'outbound-delivered',
    remove: [SID],
    set: [['status', 'in-progress']],
    message: 'Constraint ctt-out-2 not met: A message with a sent time carries its Twilio SID.',
    expression: 'Communication',
  },
  {
    name: 'completed without a sent time',
    from: 'outbound-delivered',
    remove: ['sent'],
    message: 'Constraint ctt-out-3 not met',
    expression: 'Communication',
  },
  {
    name: 'segment count as a string',
    from: 'outbound-delivered',
    set: [
      [
        'extension:segment-count',
        { url: 'https://charttext.org/fhir/StructureDefinition/segment-count', valueString: '1' },
      ],
    ],
    message: 'extension(segment-count).value[x]: valueString is not allowed here; use valuePositiveInt',
    expression: 'Communication.extension[1].valueString',
    medplumMisses: true,
  },
  {
    name: 'unknown SMS encoding',
    from: 'outbound-delivered',
    set: [['extension:sms-encoding.valueCode', 'UTF-8']],
    message:
      '"UTF-8" is not in value set https://charttext.org/fhir/ValueSet/sms-encoding; expected one of GSM-7, UCS-2',
    expression: 'Communication.extension[2].valueCode',
    medplumMisses: true,
  },
  {
    name: 'raw Twilio status that Twilio never sends',
    from: 'outbound-delivered',
    set: [['extension:twilio-status.valueCode', 'lost']],
    message: '"lost" is not in value set https://charttext.org/fhir/ValueSet/twilio-message-status',
    expression: 'Communication.extension[0].valueCode',
    medplumMisses: true,
  },
  {
    name: 'to-number not in E.164',
    from: 'outbound-delivered',
    set: [['extension:to-number.valueString', '(201) 555-0123']],
    message: 'Constraint ctt-e164 not met',
    expression: 'Communication.extension[4]',
    medplumMisses: true,
  },
  {
    name: 'Twilio error without its code',
    from: 'outbound-undelivered',
    remove: ['extension:twilio-error.extension[0]'],
    message: 'extension(twilio-error).extension:code is missing (a value with url code): expected 1..1, found 0',
    expression: 'Communication.extension[1].extension',
    medplumMisses: true,
  },
  {
    name: 'Twilio error code as a string',
    from: 'outbound-undelivered',
    set: [['extension:twilio-error.extension[0]', { url: 'code', valueString: '30006' }]],
    message: 'extension(twilio-error).extension:code.value[x]: valueString is not allowed here; use valueInteger',
    expression: 'Communication.extension[1].extension[0].valueString',
    medplumMisses: true,
  },
  {
    name: 'a ChartText extension URL that does not exist',
    from: 'outbound-pending',
    set: [['extension', [{ url: 'https://charttext.org/fhir/StructureDefinition/twilio-sid', valueString: 'SM1' }]]],
    message: 'Unknown ChartText extension https://charttext.org/fhir/StructureDefinition/twilio-sid',
    expression: 'Communication.extension[0]',
    medplumMisses: true,
  },
  {
    name: 'subject that is not a Patient',
    from: 'outbound-pending',
    set: [['subject', { reference: 'Group/care-team' }]],
    message: 'Communication.subject: a reference to Group is not allowed here; expected Patient',
    expression: 'Communication.subject',
    medplumMisses: true,
  },
  {
    name: 'sender that is the patient',
    from: 'outbound-pending',
    set: [['sender', { reference: 'Patient/p0001' }]],
    message: 'expected Practitioner or PractitionerRole or Organization',
    expression: 'Communication.sender',
    medplumMisses: true,
  },
  {
    name: 'no thread header (partOf)',
    from: 'outbound-pending',
    remove: ['partOf'],
    message: 'Communication.partOf is missing: expected 1..1, found 0',
    expression: 'Communication.partOf',
  },
  {
    name: 'partOf pointing to something other than a Communication',
    from: 'outbound-pending',
    set: [['partOf[0]', { reference: 'Encounter/visit-1' }]],
    message: 'Communication.partOf: a reference to Encounter is not allowed here; expected Communication',
    expression: 'Communication.partOf[0]',
    medplumMisses: true,
  },
  {
    name: 'payload that is a reference',
    from: 'outbound-pending',
    set: [['payload[0]', { contentReference: { reference: 'DocumentReference/letter' } }]],
    message: 'contentReference is not allowed here; use contentString or contentAttachment',
    expression: 'Communication.payload[0].contentReference',
    medplumMisses: true,
  },
  // Inbound and unmatched SMS
  {
    name: 'inbound without the sender’s number',
    from: 'inbound-reply',
    remove: ['extension:from-number'],
    message: 'Communication.extension:fromNumber is missing',
    expression: 'Communication.extension',
  },
  {
    name: 'inbound addressed to a patient instead of the practice',
    from: 'inbound-reply',
    set: [['recipient[0]', { reference: 'Patient/p0001' }]],
    message: 'Communication.recipient: a reference to Patient is not allowed here; expected Organization',
    expression: 'Communication.recipient[0]',
    medplumMisses: true,
  },
  {
    name: 'inbound still in progress',
    from: 'inbound-reply',
    set: [['status', 'in-progress']],
    message: 'Communication.status must be "completed"',
    expression: 'Communication.status',
  },
  {
    name: 'inbound without a Twilio SID',
    from: 'inbound-reply',
    remove: [SID],
    message: 'Communication.identifier:twilioSid is missing',
    expression: 'Communication.identifier',
  },
  {
    name: 'unmatched message with a subject',
    from: 'unmatched-unknown-number',
    set: [['subject', { reference: 'Patient/p0001' }]],
    message: 'Communication.subject has too many values: expected 0..0, found 1',
    expression: 'Communication.subject',
  },
  // Thread header
  {
    name: 'thread header with a payload',
    from: 'thread-p0001',
    set: [['payload', [{ contentString: 'hello' }]]],
    message: 'Communication.payload has too many values: expected 0..0, found 1',
    expression: 'Communication.payload',
  },
  {
    name: 'thread header stopped',
    from: 'thread-p0001',
    set: [['status', 'stopped']],
    message: '"stopped" is not in value set https://charttext.org/fhir/ValueSet/thread-status',
    expression: 'Communication.status',
    medplumMisses: true,
  },
  {
    name: 'thread header without its key',
    from: 'thread-p0001',
    remove: ['identifier'],
    message: 'Communication.identifier:thread is missing (a value with system https://charttext.org/fhir/sid/thread)',
    expression: 'Communication.identifier',
  },
  // SMS consent
  {
    name: 'consent without permit or deny',
    from: 'sms-consent-stop',
    remove: ['provision.type'],
    message: 'Consent.provision.type is missing: expected 1..1, found 0',
    expression: 'Consent.provision.type',
  },
  {
    name: 'consent without the SMS category',
    from: 'sms-consent-stop',
    set: [['category', [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }]]],
    message: 'Consent.category:sms is missing',
    expression: 'Consent.category',
  },
  {
    name: 'consent source as a reference',
    from: 'sms-consent-stop',
    remove: ['sourceAttachment'],
    set: [['sourceReference', { reference: 'Contract/terms' }]],
    message: 'sourceReference',
    expression: 'Consent.sourceReference',
  },
  // Tasks
  {
    name: 'needs-response Task closed as linked',
    from: 'needs-response-p0001',
    set: [['businessStatus.coding[0].code', 'linked']],
    message: 'is not in value set https://charttext.org/fhir/ValueSet/needs-response-business-status',
    expression: 'Task.businessStatus',
  },
  {
    name: 'Task status that FHIR does not define',
    from: 'needs-response-p0001',
    set: [['status', 'closed']],
    message: '"closed" is not in value set http://hl7.org/fhir/ValueSet/task-status',
    expression: 'Task.status',
    medplumMisses: true,
  },
  {
    name: 'needs-response Task completed while still waiting',
    from: 'needs-response-p0001',
    set: [['status', 'completed']],
    message: 'Constraint ctt-task-1 not met',
    expression: 'Task',
  },
  {
    name: 'needs-response Task focused on a patient instead of the thread',
    from: 'needs-response-p0001',
    set: [['focus', { reference: 'Patient/p0001' }]],
    message: 'Task.focus: a reference to Patient is not allowed here; expected Communication',
    expression: 'Task.focus',
    medplumMisses: true,
  },
  {
    name: 'Task assigned to a patient',
    from: 'needs-response-p0001',
    set: [['owner', { reference: 'Patient/p0001' }]],
    message: 'Task.owner: a reference to Patient is not allowed here; expected Practitioner or PractitionerRole',
    expression: 'Task.owner',
    medplumMisses: true,
  },
  {
    name: 'triage Task without its key',
    from: 'triage-unknown-number',
    remove: ['identifier'],
    message: 'Task.identifier:triage is missing',
    expression: 'Task.identifier',
  },
  {
    name: 'triage Task closed as linked without the patient',
    from: 'triage-unknown-number',
    set: [
      ['status', 'completed'],
      ['businessStatus.coding[0].code', 'linked'],
    ],
    message: 'Constraint ctt-task-4 not met',
    expression: 'Task',
  },
  // Profile claims
  {
    name: 'a Communication claiming the consent profile',
    from: 'outbound-pending',
    set: [['meta.profile', ['https://charttext.org/fhir/StructureDefinition/ChartTextSmsConsent']]],
    message: 'is for Consent, not Communication',
    expression: 'meta.profile',
  },
  {
    name: 'a ChartText profile that does not exist',
    from: 'outbound-pending',
    set: [['meta.profile', ['https://charttext.org/fhir/StructureDefinition/ChartTextSms']]],
    message: 'Unknown ChartText profile https://charttext.org/fhir/StructureDefinition/ChartTextSms',
    expression: 'meta.profile',
  },
];

type Json = Record<string, unknown> | unknown[];

/** Resolves one path step in `parent`: a key, `[i]`, or `key:suffix`. Returns the container and the key in it. */
function step(parent: Json, token: string): { container: Json; key: string | number } {
  const index = /^\[(\d+)\]$/.exec(token);
  if (index) return { container: parent, key: Number(index[1]) };
  const pick = /^(\w+):([\w-]+)$/.exec(token);
  if (pick) {
    const list = (parent as Record<string, unknown>)[pick[1] as string];
    if (!Array.isArray(list)) throw new Error(`No list ${pick[1]} for ${token}`);
    const i = list.findIndex((item: { url?: string; system?: string }) =>
      [item.url, item.system].some((v) => v?.endsWith(`/${pick[2]}`)),
    );
    if (i < 0) throw new Error(`No item ending in /${pick[2]} in ${pick[1]}`);
    return { container: list, key: i };
  }
  return { container: parent, key: token };
}

function tokens(path: string): string[] {
  return path.split(/\.|(?=\[)/).filter(Boolean);
}

/** Applies a counter-example's edits to a copy of `example`. */
export function breakExample(example: Resource, counter: CounterExample): Resource {
  const copy = structuredClone(example) as unknown as Json;
  const walk = (path: string): { container: Json; key: string | number } => {
    const parts = tokens(path);
    let node: Json = copy;
    for (const part of parts.slice(0, -1)) {
      const { container, key } = step(node, part);
      const next = (container as Record<string | number, unknown>)[key];
      if (typeof next !== 'object' || next === null) throw new Error(`Path ${path} stops at ${part}`);
      node = next as Json;
    }
    return step(node, parts[parts.length - 1] as string);
  };
  for (const path of counter.remove ?? []) {
    const { container, key } = walk(path);
    if (Array.isArray(container) && typeof key === 'number') container.splice(key, 1);
    else delete (container as Record<string, unknown>)[key];
  }
  for (const [path, value] of counter.set ?? []) {
    const { container, key } = walk(path);
    (container as Record<string | number, unknown>)[key] = value;
  }
  return copy as unknown as Resource;
}
