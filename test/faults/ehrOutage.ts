/**
 * Scenario: the EHR (FHIR server and its token endpoint) drops every connection for a while, and patients keep
 * texting at a steady rate from the phone simulator (so every text is also in Twilio's log). The relay answers Twilio
 * at once and keeps the texts for retry; once the EHR is back every text must be in it exactly once. Reconciliation
 * from Twilio's log is the documented backstop (DESIGN.md, "Reconcile") and is counted apart if it was needed.
 */
import { sidOf } from '../../server/relay/outboundFields';
import { emptyCounts, type FaultCounts } from './faultCounts';
import type { FaultScale } from './faultScale';
import { currentResources, sleep, textablePatients, waitUntil, type FaultStack } from './faultStack';
import { duplicateRecords } from './inboundFlood';

/** Runs the scenario. */
export async function ehrOutage(faults: FaultStack, scale: FaultScale): Promise<FaultCounts> {
  const counts = emptyCounts(
    `EHR down ${scale.outageMs / 1000} s under ${scale.outageRatePerSecond} inbound/s, then everything lands`,
  );
  const started = performance.now();
  const { stack, runTag } = faults;
  const { phone, store } = stack.sandbox;
  const patients = textablePatients();

  stack.setEhrDown(true);
  const sends: Promise<{ sid: string; body: string; status: number | undefined }>[] = [];
  const downAt = Date.now();
  for (let i = 0; Date.now() - downAt < scale.outageMs; i++) {
    const body = `Outage ${runTag} #${i}: is my insulin prescription ready`;
    sends.push(
      phone
        .sendInbound({ from: patients[i % patients.length]?.e164 ?? '', body })
        .then(({ message, webhook }) => ({ sid: message.sid, body, status: webhook?.status })),
    );
    await sleep(1000 / scale.outageRatePerSecond);
  }
  const sent = await Promise.all(sends);
  const queued = stack.relay.intake.pending();
  stack.setEhrDown(false);
  const upAt = performance.now();

  const bySid = (): Map<string, string[]> => {
    const wanted = new Set(sent.map((one) => one.sid));
    const found = new Map<string, string[]>();
    for (const resource of currentResources(store).values()) {
      if (resource.resourceType !== 'Communication') continue;
      const sid = sidOf(resource);
      if (sid && wanted.has(sid))
        found.set(sid, [...(found.get(sid) ?? []), resource.payload?.[0]?.contentString ?? '']);
    }
    return found;
  };
  const byRetry = await waitUntil(() => bySid().size === sent.length, 60_000);
  const landedSeconds = (performance.now() - upAt) / 1000;
  const landedByRetry = bySid().size;
  if (!byRetry) await stack.relay.reconciler.run();

  const landed = bySid();
  for (const one of sent) {
    const copies = landed.get(one.sid) ?? [];
    counts.duplicated += Math.max(0, copies.length - 1);
    if (copies[0] === one.body) counts.delivered++;
    else counts.lost++;
  }
  counts.duplicated += duplicateRecords(currentResources(store).values());
  counts.sent = sent.length;
  counts.seconds = (performance.now() - started) / 1000;
  const answers = new Map<string, number>();
  for (const one of sent) answers.set(String(one.status), (answers.get(String(one.status)) ?? 0) + 1);
  counts.notes.push(
    `${sent.length} texts while the EHR was down (Twilio answered: ${[...answers].map(([s, n]) => `${s}×${n}`).join(', ')}; ` +
      `${queued} waiting for retry); ${landedByRetry} in the EHR ${landedSeconds.toFixed(1)} s after it came back` +
      (byRetry ? '' : `, ${landed.size - landedByRetry} more by reconciliation`),
  );
  return counts;
}
