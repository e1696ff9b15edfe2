/**
 * Writes one SMS thread as the relay would have left it: a header Communication (thread key identifier, no payload)
 * and messages with partOf = the header, direction and kind categories, SMSWRIT medium, the Twilio SID, raw Twilio
 * status, segment count, encoding and numbers. Conventions: ../shared/DESIGN.md "Data conventions" and the profiles
 * in fhir-profiles/input/fsh/communications.fsh.
 */
import { createHash } from 'node:crypto';
import type {
  CodeableConcept,
  Communication,
  Extension,
  Organization,
  Patient,
  Practitioner,
  Reference,
} from '@medplum/fhirtypes';
import { SegmentedMessage } from 'sms-segments-calculator';
import { threadKey } from '../../fhir-profiles/threadKey';
import type { StopReason, TwilioMessageStatus } from '../../fhir-profiles/vocabulary';
import {
  CODES,
  CONCEPTS,
  EXTENSIONS,
  EXTERNAL_SYSTEMS,
  IDENTIFIER_SYSTEMS,
  PROFILES,
  TWILIO_ERROR_PARTS,
  TWILIO_MESSAGE_STATUS,
} from '../../fhir-profiles/vocabulary';
import type { Category } from './conversationScripts';
import { PRACTICE } from './roster';
import { PRACTICE_REFERENCE } from './seedPeople';

/** The person on the patient's end of the thread: the patient, or a related person using the phone. */
export interface Counterpart {
  reference: `Patient/${string}` | `RelatedPerson/${string}`;
  given: string;
  /** E.164, or undefined when there is no number. */
  phone: string | undefined;
}

/** How an outbound message ended up. */
export type OutboundOutcome =
  | { kind: 'delivered' }
  | { kind: 'sent' }
  | { kind: 'undelivered'; errorCode: number; errorMessage: string }
  | { kind: 'not-sent'; reason: Extract<StopReason, 'consent-denied' | 'no-sms-number'>; text: string };

/** A deterministic Twilio Message SID (SM + 32 hex digits) for a seed message id. */
export function seedSid(messageId: string): string {
  return `SM${createHash('sha256').update(`charttext-seed:${messageId}`).digest('hex').slice(0, 32)}`;
}

const CATEGORY_CODES: Record<Category, string> = {
  reminder: CODES.communicationCategory.reminder,
  notification: CODES.communicationCategory.notification,
  instruction: CODES.communicationCategory.instruction,
};

function iso(at: Date, plusMs = 0): string {
  return new Date(at.getTime() + plusMs).toISOString();
}

const segmentCache = new Map<string, { count: number; encoding: string }>();

/** Segments and encoding as Twilio counts them (memoised: scripted texts repeat). */
function segmentsOf(text: string): { count: number; encoding: string } {
  let result = segmentCache.get(text);
  if (!result) {
    const segmented = new SegmentedMessage(text);
    result = { count: Math.max(1, segmented.segmentsCount), encoding: segmented.encodingName };
    segmentCache.set(text, result);
  }
  return result;
}

function smsExtensions(text: string, status: TwilioMessageStatus, from?: string, to?: string): Extension[] {
  const segments = segmentsOf(text);
  return [
    { url: EXTENSIONS.twilioStatus, valueCode: status },
    { url: EXTENSIONS.segmentCount, valuePositiveInt: segments.count },
    { url: EXTENSIONS.encoding, valueCode: segments.encoding },
    ...(from ? [{ url: EXTENSIONS.fromNumber, valueString: from }] : []),
    ...(to ? [{ url: EXTENSIONS.toNumber, valueString: to }] : []),
  ];
}

/** Extensions of an inbound text from `from` to the practice number. */
export function inboundExtensions(text: string, from: string): Extension[] {
  return smsExtensions(text, TWILIO_MESSAGE_STATUS.received, from, PRACTICE.smsNumber);
}

export class ThreadWriter {
  readonly header: Communication;
  readonly messages: Communication[] = [];
  private readonly patientRef: Reference<Patient>;

  constructor(
    readonly patientId: string,
    readonly counterpart: Counterpart,
    openedAt: Date,
  ) {
    this.patientRef = { reference: `Patient/${patientId}` };
    const isRelated = counterpart.reference.startsWith('RelatedPerson/');
    this.header = {
      resourceType: 'Communication',
      id: `thread-${patientId}`,
      meta: { profile: [PROFILES.threadHeader], lastUpdated: iso(openedAt) },
      identifier: [{ system: IDENTIFIER_SYSTEMS.thread, value: threadKey(counterpart.reference, PRACTICE.smsNumber) }],
      status: 'in-progress',
      category: [CONCEPTS.kind(CODES.communicationKind.threadHeader)],
      medium: [CONCEPTS.smsMedium],
      subject: this.patientRef,
      ...(isRelated ? { recipient: [{ reference: counterpart.reference }] } : {}),
      topic: { text: `Text messages with ${PRACTICE.name}` },
    };
  }

  private nextId(): string {
    return `${this.patientId}-m${String(this.messages.length + 1).padStart(4, '0')}`;
  }

  private common(
    direction: 'inbound' | 'outbound',
    category?: Category,
  ): Pick<Communication, 'resourceType' | 'partOf' | 'category' | 'medium' | 'subject'> {
    const categories: CodeableConcept[] = [
      CONCEPTS.direction(direction),
      CONCEPTS.kind(CODES.communicationKind.message),
    ];
    if (category) {
      categories.push({ coding: [{ system: EXTERNAL_SYSTEMS.communicationCategory, code: CATEGORY_CODES[category] }] });
    }
    return {
      resourceType: 'Communication',
      partOf: [{ reference: `Communication/${this.header.id ?? ''}` }],
      category: categories,
      medium: [CONCEPTS.smsMedium],
      subject: this.patientRef,
    };
  }

  /** A message from the patient's phone to the practice number. */
  inbound(text: string, at: Date): Communication {
    const id = this.nextId();
    const message: Communication = {
      ...this.common('inbound'),
      id,
      meta: { profile: [PROFILES.inboundMessage], lastUpdated: iso(at, 400) },
      identifier: [{ system: IDENTIFIER_SYSTEMS.twilioMessageSid, value: seedSid(id) }],
      status: 'completed',
      sender: { reference: this.counterpart.reference },
      recipient: [PRACTICE_REFERENCE],
      // Both, as the relay files an inbound text: threads and the inbox sort by `sent` (ADR 047, 070).
      sent: iso(at),
      received: iso(at),
      payload: [{ contentString: text }],
      extension: smsExtensions(text, TWILIO_MESSAGE_STATUS.received, this.counterpart.phone, PRACTICE.smsNumber),
    };
    this.messages.push(message);
    return message;
  }

  /** A message from the practice, sent by `sender`, with the given outcome. */
  outbound(
    text: string,
    at: Date,
    sender: Reference<Practitioner | Organization>,
    outcome: OutboundOutcome,
    category?: Category,
  ): Communication {
    const id = this.nextId();
    const base: Communication = {
      ...this.common('outbound', category),
      id,
      status: 'completed',
      sender,
      recipient: [{ reference: this.counterpart.reference }],
      payload: [{ contentString: text }],
    };
    let message: Communication;
    if (outcome.kind === 'not-sent') {
      message = {
        ...base,
        meta: { profile: [PROFILES.outboundMessage], lastUpdated: iso(at, 300) },
        status: 'stopped',
        statusReason: CONCEPTS.stopReason(outcome.reason, outcome.text),
      };
    } else {
      const twilioStatus =
        outcome.kind === 'delivered'
          ? TWILIO_MESSAGE_STATUS.delivered
          : outcome.kind === 'sent'
            ? TWILIO_MESSAGE_STATUS.sent
            : TWILIO_MESSAGE_STATUS.undelivered;
      message = {
        ...base,
        meta: { profile: [PROFILES.outboundMessage], lastUpdated: iso(at, outcome.kind === 'sent' ? 500 : 2500) },
        identifier: [{ system: IDENTIFIER_SYSTEMS.twilioMessageSid, value: seedSid(id) }],
        status: outcome.kind === 'delivered' ? 'completed' : outcome.kind === 'sent' ? 'in-progress' : 'stopped',
        sent: iso(at),
        extension: smsExtensions(text, twilioStatus, PRACTICE.smsNumber, this.counterpart.phone),
      };
      if (outcome.kind === 'undelivered') {
        const reason = CONCEPTS.stopReason(
          CODES.stopReason.deliveryFailed,
          `Not delivered: ${outcome.errorMessage} (Twilio ${outcome.errorCode}).`,
        );
        message.statusReason = {
          ...reason,
          coding: [
            ...(reason.coding ?? []),
            { system: EXTERNAL_SYSTEMS.twilioError, code: String(outcome.errorCode), display: outcome.errorMessage },
          ],
        };
        message.extension = [
          ...(message.extension ?? []),
          {
            url: EXTENSIONS.twilioError,
            extension: [
              { url: TWILIO_ERROR_PARTS.code, valueInteger: outcome.errorCode },
              { url: TWILIO_ERROR_PARTS.message, valueString: outcome.errorMessage },
            ],
          },
        ];
      }
    }
    this.messages.push(message);
    return message;
  }
}
