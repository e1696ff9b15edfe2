/**
 * Scenario: Twilio answering 429, then 5xx (500, 503), then permanent 4xx errors. Transient answers come in bursts
 * shorter than the relay's retry budget: every message must still reach the patient exactly once. One message meets
 * 429, then 503, then 21211 in turn; two more meet 21614 (not a mobile) and 21610 (opted out on Twilio's side): each
 * must end `stopped` with Twilio's code, and no SMS.
 */
import type { Communication } from '@medplum/fhirtypes';
import { EXTERNAL_SYSTEMS, codeFrom } from '../../fhir-profiles/vocabulary';
import { PATIENTS, SPECIAL_PATIENTS } from '../../sandbox/seed/roster';
import { toE164 } from '../../server/relay/normalisePhone';
import { createPatient } from '../integration/relay-support/relayStack';
import { bodyOf, countOutbound, settleOutbound } from './countOutbound';
import { emptyCounts, type FaultCounts } from './faultCounts';
import type { FaultScale } from './faultScale';
import {
  createPendingBulk,
  currentResources,
  NOT_MOBILE_NUMBER,
  textablePatients,
  type FaultStack,
} from './faultStack';

/** A number of nobody in the roster, for the message Twilio finally refuses with 21211. */
const INVALID_NUMBER = '+12015550171';

/** Runs the scenario. */
export async function twilioErrors(faults: FaultStack, scale: FaultScale): Promise<FaultCounts> {
  const counts = emptyCounts('Twilio answers 429, 5xx, then permanent 4xx');
  const started = performance.now();
  const { stack, runTag } = faults;
  const { phone, store } = stack.sandbox;
  const patients = textablePatients();
  const logStart = stack.logLines.length;

  // Transient bursts: at most 3 failures each, under the relay's 4 attempts.
  const transient: Communication[] = [];
  for (const status of [429, 500, 503]) {
    const batch = await createPendingBulk(
      stack,
      Array.from({ length: scale.transientBatch }, (_, i) => ({
        patientId: patients[i % patients.length]?.id ?? '',
        body: `Twilio ${runTag} ${status} #${i}: bring your inhaler to the visit`,
      })),
    );
    transient.push(...batch);
    phone.faults.failNext(3, status);
    await stack.relay.drain.request();
  }

  // Permanent refusals.
  const permanent: { message: Communication; code: number }[] = [];
  // Its own patient: 21211 flags the number (docs/decisions/051), which must not stop later scenarios' texts.
  const invalid = await createPatient(stack, INVALID_NUMBER);
  const [sequence] = await createPendingBulk(stack, [
    { patientId: invalid.id ?? '', body: `Twilio ${runTag} 429-503-21211: sequence` },
  ]);
  phone.faults.failNext(1, 429);
  phone.faults.failNext(1, 503);
  phone.faults.failNext(1, 21211);
  await stack.relay.drain.request();
  if (sequence) permanent.push({ message: sequence, code: 21211 });
  const notMobile = await createPatient(stack, NOT_MOBILE_NUMBER);
  const optedOutNumber = toE164(PATIENTS.find((p) => p.id === SPECIAL_PATIENTS.optedOut)?.phone, 'US') ?? '';
  const optedOut = await createPatient(stack, optedOutNumber);
  const refused = await createPendingBulk(stack, [
    { patientId: notMobile.id ?? '', body: `Twilio ${runTag} 21614: not a mobile` },
    { patientId: optedOut.id ?? '', body: `Twilio ${runTag} 21610: opted out at Twilio` },
  ]);
  await stack.relay.drain.request();
  permanent.push({ message: refused[0] as Communication, code: 21614 });
  permanent.push({ message: refused[1] as Communication, code: 21610 });
  phone.faults.clear();

  await phone.settled({ timeoutMs: 60_000 });
  const byReconciliation = await settleOutbound(faults, transient, 20_000);
  const tally = countOutbound(faults, transient);
  counts.delivered = tally.delivered;
  counts.lost = tally.lost;
  counts.duplicated = tally.duplicated;
  const ehr = currentResources(store);
  for (const { message, code } of permanent) {
    const stored = ehr.get(`Communication/${message.id ?? ''}`) as Communication | undefined;
    const sms = phone.countMessages({ body: bodyOf(message), direction: 'outbound-api' });
    counts.forged += sms;
    const ok =
      stored?.status === 'stopped' && codeFrom(stored.statusReason, EXTERNAL_SYSTEMS.twilioError) === String(code);
    if (ok) counts.delivered++;
    else {
      counts.lost++;
      counts.notes.push(`message refused with ${code} ended ${stored?.status ?? 'missing'}`);
    }
  }
  counts.sent = transient.length + permanent.length;
  counts.seconds = (performance.now() - started) / 1000;
  const retries = stack.logLines.slice(logStart).filter((line) => line.includes('will retry')).length;
  counts.notes.push(
    `${transient.length} messages through 3×429, 3×500, 3×503 (${retries} retried sends); ` +
      `3 refused for good (21211 after 429 and 503, 21614, 21610) and stopped with the code`,
  );
  if (byReconciliation > 0) counts.notes.push(`${byReconciliation} delivered only after reconciliation`);
  if (tally.lostIds.length > 0) counts.notes.push(`not delivered: ${tally.lostIds.slice(0, 5).join(', ')}`);
  return counts;
}
