/**
 * Scenario: a flood of inbound webhooks, 20 % of them replayed (half racing the original, half later), while the
 * status callbacks of earlier outbound messages, held back until then, arrive shuffled with 20 % replayed.
 * The EHR must hold exactly one Communication per unique SID with the exact body, one thread header per thread and
 * one open needs-response Task per thread, and every outbound message must end delivered.
 */
import { randomBytes } from 'node:crypto';
import type { Communication, Resource, Task } from '@medplum/fhirtypes';
import { CODE_SYSTEMS, CODES, IDENTIFIER_SYSTEMS, codeFrom } from '../../fhir-profiles/vocabulary';
import { PRACTICE, UNKNOWN_NUMBER_E164 } from '../../sandbox/seed/roster';
import { OPEN_TASK_STATUSES } from '../../server/relay/fileInbound';
import { sidOf } from '../../server/relay/outboundFields';
import { countOutbound, settleOutbound } from './countOutbound';
import { emptyCounts, type FaultCounts } from './faultCounts';
import type { FaultScale } from './faultScale';
import {
  createPendingBulk,
  currentResources,
  pool,
  postWebhook,
  shuffle,
  textablePatients,
  waitUntil,
  type FaultStack,
} from './faultStack';

/** Message texts with clinical words, so the PHI search has something distinctive to look for. */
export const FLOOD_PHRASES = [
  'my lisinopril refill ran out',
  'the metformin upsets my stomach',
  'chest pain again since Tuesday',
  'can you send the HbA1c result',
  'rash spreading after amoxicillin',
];

const CONCURRENCY = 16;

interface Inbound {
  sid: string;
  from: string;
  body: string;
  replay: 'none' | 'racing' | 'late';
}

/** Extra copies of things there must be one of: thread headers per key, open needs-response Tasks per thread. */
export function duplicateRecords(resources: Iterable<Resource>): number {
  const headers = new Map<string, number>();
  const openTasks = new Map<string, number>();
  const open = new Set<string>(OPEN_TASK_STATUSES);
  for (const resource of resources) {
    if (resource.resourceType === 'Communication') {
      const key = resource.identifier?.find((id) => id.system === IDENTIFIER_SYSTEMS.thread)?.value;
      if (key) headers.set(key, (headers.get(key) ?? 0) + 1);
    }
    if (resource.resourceType === 'Task' && open.has(resource.status)) {
      const task: Task = resource;
      if (codeFrom(task.code, CODE_SYSTEMS.task) !== CODES.task.needsResponse) continue;
      const focus = task.focus?.reference ?? '';
      openTasks.set(focus, (openTasks.get(focus) ?? 0) + 1);
    }
  }
  let extra = 0;
  for (const count of [...headers.values(), ...openTasks.values()]) extra += count - 1;
  return extra;
}

/** Runs the scenario. */
export async function inboundFlood(faults: FaultStack, scale: FaultScale): Promise<FaultCounts> {
  const counts = emptyCounts(
    `flood: ${scale.inbound.toLocaleString('en-US')} inbound + 20 % replays; ${scale.callbackMessages} outbound, callbacks shuffled`,
  );
  const started = performance.now();
  const { stack, runTag } = faults;
  const { phone, store } = stack.sandbox;
  const patients = textablePatients();
  const before = new Set(currentResources(store).keys());

  // 1. Outbound messages sent while every status callback is held back.
  phone.callbacks.pause();
  const outbound = await createPendingBulk(
    stack,
    Array.from({ length: scale.callbackMessages }, (_, i) => ({
      patientId: patients[i % patients.length]?.id ?? '',
      body: `Flood ${runTag} outbound ${i}: your potassium result is normal`,
    })),
  );
  await stack.relay.drain.request();
  const outboundPrefix = new RegExp(`^Flood ${runTag} outbound `);
  await waitUntil(() => phone.countMessages({ body: outboundPrefix, status: 'delivered' }) === outbound.length, 60_000);

  // 2. The flood, while the held callbacks are released shuffled, 20 % of them twice.
  let callbacks = 0;
  let callbackReplays = 0;
  const released = phone.callbacks.resume((held) => {
    const replays = held.filter(() => Math.random() < 0.2);
    callbacks = held.length;
    callbackReplays = replays.length;
    return shuffle([...held, ...replays]);
  });
  const inbound: Inbound[] = Array.from({ length: scale.inbound }, (_, i) => ({
    sid: `SM${randomBytes(16).toString('hex')}`,
    from: i % 20 === 7 ? UNKNOWN_NUMBER_E164 : (patients[i % patients.length]?.e164 ?? ''),
    body: `Flood ${runTag} inbound ${i}: ${FLOOD_PHRASES[i % FLOOD_PHRASES.length] ?? ''}`,
    replay: i % 5 !== 0 ? 'none' : i % 10 === 0 ? 'racing' : 'late',
  }));
  const statuses = new Map<number, number>();
  const post = async (message: Inbound): Promise<void> => {
    const { status } = await postWebhook(stack, '/twilio/inbound', {
      MessageSid: message.sid,
      SmsMessageSid: message.sid,
      SmsSid: message.sid,
      AccountSid: stack.sandbox.twilio.accountSid,
      From: message.from,
      To: PRACTICE.smsNumber,
      Body: message.body,
      NumMedia: '0',
      NumSegments: '1',
      SmsStatus: 'received',
      ApiVersion: '2010-04-01',
    });
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
  };
  const floodStart = performance.now();
  await pool(inbound, CONCURRENCY, async (message) => {
    await Promise.all(message.replay === 'racing' ? [post(message), post(message)] : [post(message)]);
  });
  await pool(
    inbound.filter((message) => message.replay === 'late'),
    CONCURRENCY,
    post,
  );
  const floodSeconds = (performance.now() - floodStart) / 1000;
  await released;
  await phone.settled({ timeoutMs: 120_000 });

  // 3. Count what the EHR holds.
  const sent = new Map(inbound.map((message) => [message.sid, message]));
  const landed = (): Map<string, Communication[]> => {
    const bySid = new Map<string, Communication[]>();
    for (const resource of currentResources(store).values()) {
      if (resource.resourceType !== 'Communication') continue;
      const sid = sidOf(resource);
      if (sid && sent.has(sid)) bySid.set(sid, [...(bySid.get(sid) ?? []), resource]);
    }
    return bySid;
  };
  // Webhooks answered "still working" finish in the background: give them a bounded moment.
  await waitUntil(() => stack.relay.intake.pending() === 0 && landed().size === sent.size, 60_000);
  const bySid = landed();
  let altered = 0;
  for (const message of inbound) {
    const copies = bySid.get(message.sid) ?? [];
    counts.duplicated += Math.max(0, copies.length - 1);
    if (copies.length > 0 && copies[0]?.payload?.[0]?.contentString === message.body) counts.delivered++;
    else {
      counts.lost++;
      if (copies.length > 0) altered++;
    }
  }
  const after = currentResources(store);
  const outboundKeys = new Set(outbound.map((message) => `Communication/${message.id ?? ''}`));
  for (const [key, resource] of after) {
    if (before.has(key) || resource.resourceType !== 'Communication') continue;
    const sid = sidOf(resource);
    const ours = (sid !== undefined && sent.has(sid)) || outboundKeys.has(key);
    const header = resource.identifier?.some((id) => id.system === IDENTIFIER_SYSTEMS.thread);
    if (!ours && !header) counts.forged++;
  }
  counts.duplicated += duplicateRecords(after.values());

  const byReconciliation = await settleOutbound(faults, outbound, 30_000);
  const tally = countOutbound(faults, outbound);
  counts.sent = inbound.length + outbound.length;
  counts.delivered += tally.delivered;
  counts.lost += tally.lost;
  counts.duplicated += tally.duplicated;
  counts.seconds = (performance.now() - started) / 1000;
  const replays = inbound.filter((message) => message.replay !== 'none').length;
  counts.notes.push(
    `${inbound.length} unique inbound + ${replays} replays (half racing the original) in ${floodSeconds.toFixed(1)} s ` +
      `(${((inbound.length + replays) / floodSeconds).toFixed(0)} webhooks/s); answers ${[...statuses]
        .map(([status, n]) => `${status}×${n}`)
        .join(', ')}; ${callbacks} held status callbacks + ${callbackReplays} replays released shuffled`,
  );
  if (byReconciliation > 0) counts.notes.push(`${byReconciliation} outbound delivered only after reconciliation`);
  if (altered > 0) counts.notes.push(`${altered} inbound stored with a different body`);
  if (tally.lostIds.length > 0) counts.notes.push(`outbound not delivered: ${tally.lostIds.slice(0, 5).join(', ')}`);
  return counts;
}
