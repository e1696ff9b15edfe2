/**
 * Counting outbound messages the way a patient and the EHR see them: how many SMS Twilio holds for each message
 * (by its unique body), and whether the EHR has the message completed and delivered under that SMS's SID.
 */
import type { Communication } from '@medplum/fhirtypes';
import type { MessageRecord } from '../../sandbox/phone/messageRecord';
import { sidOf, twilioStatusOf } from '../../server/relay/outboundFields';
import { currentResources, sleep, waitUntil, type FaultStack } from './faultStack';

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

/**
 * Waits (bounded) until every message in `messages` is delivered. What is still missing then is left to
 * reconciliation, the relay's documented backstop for claims Twilio never answered and statuses never called back
 * (docs/decisions/051, 054): it runs past CLAIM_TIMEOUT and STUCK_AFTER (1 s in the fault stack), twice. Returns how
 * many messages only reconciliation delivered, for the notes.
 */
export async function settleOutbound(
  faults: FaultStack,
  messages: readonly Communication[],
  timeoutMs: number,
): Promise<number> {
  const missing = (): number => countOutbound(faults, messages).lost;
  if (await waitUntil(() => missing() === 0, timeoutMs)) return 0;
  const before = missing();
  for (let pass = 0; pass < 2 && missing() > 0; pass++) {
    await sleep(1_100);
    await faults.stack.relay.reconciler.run();
    await faults.stack.relay.drain.request();
    await faults.stack.sandbox.phone.settled({ timeoutMs: 60_000 });
    await waitUntil(() => missing() === 0, 10_000);
  }
  return before - missing();
}
