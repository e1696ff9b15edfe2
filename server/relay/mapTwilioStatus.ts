/**
 * The one-way state machine from Twilio message statuses to `Communication.status` (docs/decisions/050).
 * Twilio's statuses: https://www.twilio.com/docs/messaging/api/message-resource#message-status-values
 * Callbacks may arrive late, twice or out of order
 * (https://www.twilio.com/docs/messaging/guides/outbound-message-status-in-status-callbacks), so a status only ever
 * moves forward and a final status is never replaced (except delivered → read).
 */
import type { Communication } from '@medplum/fhirtypes';
import type { TwilioMessageStatus } from '../../fhir-profiles/vocabulary';

/** A status Twilio reports for a Message (kept raw in the twilio-status extension). */
export type TwilioStatus = TwilioMessageStatus;

/** The Communication statuses the relay writes. */
export type RelayCommunicationStatus = Extract<
  Communication['status'],
  'preparation' | 'in-progress' | 'completed' | 'stopped'
>;

interface StatusRule {
  /** Position on the way to the handset; a callback with a lower or equal rank changes nothing. */
  rank: number;
  /** Nothing after it, except `read` after `delivered`. */
  final: boolean;
  communication: 'in-progress' | 'completed' | 'stopped';
}

const RULES: Record<TwilioStatus, StatusRule> = {
  accepted: { rank: 1, final: false, communication: 'in-progress' },
  scheduled: { rank: 1, final: false, communication: 'in-progress' },
  queued: { rank: 2, final: false, communication: 'in-progress' },
  sending: { rank: 3, final: false, communication: 'in-progress' },
  sent: { rank: 4, final: false, communication: 'in-progress' },
  partially_delivered: { rank: 5, final: false, communication: 'in-progress' },
  delivered: { rank: 6, final: true, communication: 'completed' },
  read: { rank: 7, final: true, communication: 'completed' },
  undelivered: { rank: 6, final: true, communication: 'stopped' },
  failed: { rank: 6, final: true, communication: 'stopped' },
  canceled: { rank: 6, final: true, communication: 'stopped' },
  receiving: { rank: 1, final: false, communication: 'in-progress' },
  received: { rank: 6, final: true, communication: 'completed' },
};

/** True when `value` is a status Twilio can report. */
export function isTwilioStatus(value: string): value is TwilioStatus {
  return Object.hasOwn(RULES, value);
}

/** True for statuses after which nothing more happens to the message (delivered/read/undelivered/failed/canceled). */
export function isFinalTwilioStatus(status: TwilioStatus): boolean {
  return RULES[status].final;
}

/** The Communication status a Twilio status stands for. */
export function communicationStatusFor(status: TwilioStatus): 'in-progress' | 'completed' | 'stopped' {
  return RULES[status].communication;
}

export interface OutboundState {
  status: RelayCommunicationStatus | Communication['status'];
  /** The last Twilio status recorded, if any. */
  twilioStatus?: TwilioStatus;
}

export type Transition =
  | { change: true; status: 'in-progress' | 'completed' | 'stopped'; twilioStatus: TwilioStatus }
  | { change: false; reason: 'duplicate' | 'late' | 'final' | 'not-sent-by-twilio' };

/** Decides whether a reported Twilio status moves an outbound message forward, and to what. */
export function nextOutboundState(current: OutboundState, incoming: TwilioStatus): Transition {
  if (current.twilioStatus === incoming) return { change: false, reason: 'duplicate' };
  if (current.twilioStatus === undefined) {
    // Stopped or completed by the relay itself (no SMS number, consent) — Twilio never had this message.
    if (current.status === 'stopped' || current.status === 'completed') {
      return { change: false, reason: 'not-sent-by-twilio' };
    }
    return { change: true, status: communicationStatusFor(incoming), twilioStatus: incoming };
  }
  const from = RULES[current.twilioStatus];
  const to = RULES[incoming];
  if (from.final) {
    const readAfterDelivered = current.twilioStatus === 'delivered' && incoming === 'read';
    if (!readAfterDelivered) return { change: false, reason: 'final' };
    return { change: true, status: to.communication, twilioStatus: incoming };
  }
  if (to.rank <= from.rank) return { change: false, reason: 'late' };
  return { change: true, status: to.communication, twilioStatus: incoming };
}
