/**
 * The changes each step of the send writes on an outbound Communication, as pure functions of the current resource
 * (so a versioned update can recompute them after a 412). Status values follow docs/decisions/050.
 */
import type { CodeableConcept, Communication } from '@medplum/fhirtypes';
import { SegmentedMessage } from 'sms-segments-calculator';
import { CONCEPTS, EXTERNAL_SYSTEMS, EXTENSIONS, type StopReason } from '../../fhir-profiles/vocabulary';
import { twilioErrorText } from './classifyTwilioError';
import { nextOutboundState, type Transition } from './mapTwilioStatus';
import { sendAttemptOf, sidOf, twilioStatusOf, withExtensions, withSid } from './outboundFields';
import type { SmsMessage } from './smsGateway';

export interface TwilioErrorDetail {
  code: number;
  message: string;
}

/** Segments and encoding of an SMS body, as Twilio will count them. */
export function segmentsOf(body: string): { count: number; encoding: 'GSM-7' | 'UCS-2' } {
  const segmented = new SegmentedMessage(body);
  return { count: Math.max(1, segmented.segmentsCount), encoding: segmented.encodingName };
}

/** Claimed for sending: in-progress, with the claim time, the attempt number and the destination. */
export function claimed(communication: Communication, now: Date, toNumber: string): Communication {
  const { statusReason: _dropped, ...rest } = communication;
  return withExtensions({ ...rest, status: 'in-progress' }, [
    { url: EXTENSIONS.claimedAt, valueDateTime: now.toISOString() },
    { url: EXTENSIONS.sendAttempt, valuePositiveInt: sendAttemptOf(communication) + 1 },
    { url: EXTENSIONS.toNumber, valueString: toNumber },
  ]);
}

function reasonConcept(reason: StopReason, text: string, error?: TwilioErrorDetail): CodeableConcept {
  const concept = CONCEPTS.stopReason(reason, text);
  if (!error) return concept;
  return {
    ...concept,
    coding: [
      ...(concept.coding ?? []),
      { system: EXTERNAL_SYSTEMS.twilioError, code: String(error.code), display: error.message },
    ],
  };
}

/** Stopped, with the reason staff will read and, when Twilio gave one, its error. */
export function stopped(
  communication: Communication,
  reason: StopReason,
  text: string,
  error?: TwilioErrorDetail,
): Communication {
  const base: Communication = { ...communication, status: 'stopped', statusReason: reasonConcept(reason, text, error) };
  if (!error) return base;
  return withExtensions(base, [
    {
      url: EXTENSIONS.twilioError,
      extension: [
        { url: 'code', valueInteger: error.code },
        { url: 'message', valueString: error.message },
      ],
    },
  ]);
}

/**
 * Accepted by Twilio: the SID, the send time, the Twilio status (unless a callback already moved it further), segments,
 * and the numbers. Returns undefined when a different SID is already recorded (never overwrite one send with another).
 */
export function accepted(communication: Communication, message: SmsMessage, now: Date): Communication | undefined {
  const existing = sidOf(communication);
  if (existing !== undefined && existing !== message.sid) return undefined;
  const segments = segmentsOf(message.body);
  let next = withSid(communication, message.sid);
  next = { ...next, sent: next.sent ?? message.dateCreated ?? now.toISOString() };
  const transition = nextOutboundState({ status: next.status, twilioStatus: twilioStatusOf(next) }, message.status);
  if (transition.change) next = withTwilioStatus(next, transition, message);
  return withExtensions(next, [
    { url: EXTENSIONS.segmentCount, valuePositiveInt: message.numSegments ?? segments.count },
    { url: EXTENSIONS.encoding, valueCode: segments.encoding },
    ...(message.from ? [{ url: EXTENSIONS.fromNumber, valueString: message.from }] : []),
    { url: EXTENSIONS.toNumber, valueString: message.to },
  ]);
}

/** A Twilio status change applied: status, raw Twilio status, and for a failure the reason and Twilio error. */
export function withTwilioStatus(
  communication: Communication,
  transition: Extract<Transition, { change: true }>,
  report: { errorCode?: number; errorMessage?: string },
): Communication {
  const next = withExtensions({ ...communication, status: transition.status }, [
    { url: EXTENSIONS.twilioStatus, valueCode: transition.twilioStatus },
  ]);
  if (transition.status !== 'stopped') return next;
  const reason: StopReason = transition.twilioStatus === 'canceled' ? 'canceled' : 'delivery-failed';
  const error =
    report.errorCode === undefined
      ? undefined
      : { code: report.errorCode, message: twilioErrorText(report.errorCode, report.errorMessage) };
  const text = error
    ? `Not delivered: ${error.message} (Twilio ${error.code}).`
    : `Twilio reported ${transition.twilioStatus}.`;
  return stopped(next, reason, text, error);
}
