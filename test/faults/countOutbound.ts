/**
 * Counting outbound messages the way a patient and the EHR see them: how many SMS Twilio holds for each message
 * (by its unique body), and whether the EHR has the message completed and delivered under that SMS's SID.
 */
import type { Communication } from '@medplum/fhirtypes';
import type { MessageRecord } from '../../sandbox/phone/messageRecord';
import { sidOf, twilioStatusOf } from '../../server/relay/outboundFields';
import { currentResources, type FaultStack } from './faultStack';

export interface OutboundTally {
  delivered: number;
  duplicated: number;
  lost: number;
  /** Ids of messages not delivered (for notes; ids carry no PHI). */
  lostIds: string[];
}

/** The body of an outbound Communication. */
export const bodyOf = (communication: Communication): string => communication.payload?.[0]?.contentString ?? '';

/** Tallies `messages`: delivered = one SMS at Twilio and the EHR completed/delivered with its SID. */
export function countOutbound(faults: FaultStack, messages: readonly Communication[]): OutboundTally {
  const { sandbox } = faults.stack;
  const smsByBody = new Map<string, MessageRecord[]>();
  for (const sms of sandbox.phone.messages({ direction: 'outbound-api' })) {
    smsByBody.set(sms.body, [...(smsByBody.get(sms.body) ?? []), sms]);
  }
  const ehr = currentResources(sandbox.store);
  const tally: OutboundTally = { delivered: 0, duplicated: 0, lost: 0, lostIds: [] };
  for (const message of messages) {
    const sms = smsByBody.get(bodyOf(message)) ?? [];
    tally.duplicated += Math.max(0, sms.length - 1);
    const stored = ehr.get(`Communication/${message.id ?? ''}`) as Communication | undefined;
    const ok =
      sms.length >= 1 &&
      stored?.status === 'completed' &&
      twilioStatusOf(stored) === 'delivered' &&
      sms.some((one) => one.sid === sidOf(stored));
    if (ok) {
      tally.delivered++;
    } else {
      tally.lost++;
      tally.lostIds.push(message.id ?? '?');
    }
  }
  return tally;
}
