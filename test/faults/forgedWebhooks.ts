/**
 * Scenario: forged, unsigned and altered webhooks. Inbound texts and status callbacks without a signature, with a
 * made-up one, altered after signing, signed with another token or for another URL, a signature lifted from another
 * message, another account's message, and a Subscription notification without the relay's secret. Each must be
 * refused (403, or 401 for the notification) and the EHR must not change at all; the delivered message whose
 * callbacks are forged keeps its status.
 */
import { randomBytes } from 'node:crypto';
import type { Communication } from '@medplum/fhirtypes';
import twilio from 'twilio';
import { PRACTICE } from '../../sandbox/seed/roster';
import { sidOf, twilioStatusOf } from '../../server/relay/outboundFields';
import { countOutbound } from './countOutbound';
import { emptyCounts, type FaultCounts } from './faultCounts';
import type { FaultScale } from './faultScale';
import {
  createPendingBulk,
  postWebhook,
  textablePatients,
  versionCount,
  waitUntil,
  type FaultStack,
} from './faultStack';

interface Attack {
  name: string;
  path: '/twilio/inbound' | '/twilio/status';
  /** The form sent, and the signature header (null: none). */
  build(): { form: Record<string, string>; signature: string | null };
}

const newSid = (): string => `SM${randomBytes(16).toString('hex')}`;

/** Runs the scenario. */
export async function forgedWebhooks(faults: FaultStack, scale: FaultScale): Promise<FaultCounts> {
  const counts = emptyCounts('forged, unsigned and altered webhooks');
  const started = performance.now();
  const { stack, runTag } = faults;
  const { phone, store, twilio: account } = stack.sandbox;
  const [victim, other] = textablePatients();

  const [target] = await createPendingBulk(stack, [
    { patientId: victim?.id ?? '', body: `Forged ${runTag}: your MRI is booked` },
  ]);
  await stack.relay.drain.request();
  await phone.settled();
  await waitUntil(() => countOutbound(faults, [target as Communication]).delivered === 1, 10_000);
  const sid = sidOf(await stack.fhir.read('Communication', target?.id ?? '')) ?? '';

  const url = (path: string): string => `${stack.appUrl}${path}`;
  const sign = (path: string, form: Record<string, string>, token = account.authToken): string =>
    twilio.getExpectedTwilioSignature(token, url(path), form);
  const inbound = (overrides: Record<string, string> = {}): Record<string, string> => ({
    MessageSid: newSid(),
    AccountSid: account.accountSid,
    From: victim?.e164 ?? '',
    To: PRACTICE.smsNumber,
    Body: `Forged ${runTag}: cancel all my appointments`,
    NumMedia: '0',
    ...overrides,
  });
  const callback = (status: string): Record<string, string> => ({
    MessageSid: sid,
    MessageStatus: status,
    AccountSid: account.accountSid,
    ...(status === 'failed' ? { ErrorCode: '30008' } : {}),
  });
  const attacks: Attack[] = [
    { name: 'inbound without signature', path: '/twilio/inbound', build: () => ({ form: inbound(), signature: null }) },
    {
      name: 'inbound with a made-up signature',
      path: '/twilio/inbound',
      build: () => ({ form: inbound(), signature: randomBytes(20).toString('base64') }),
    },
    {
      name: 'inbound body altered after signing',
      path: '/twilio/inbound',
      build: () => {
        const form = inbound();
        return {
          form: { ...form, Body: `${form.Body ?? ''} and refund me` },
          signature: sign('/twilio/inbound', form),
        };
      },
    },
    {
      name: 'inbound sender altered after signing',
      path: '/twilio/inbound',
      build: () => {
        const form = inbound();
        return { form: { ...form, From: other?.e164 ?? '' }, signature: sign('/twilio/inbound', form) };
      },
    },
    {
      name: 'inbound signed with another auth token',
      path: '/twilio/inbound',
      build: () => {
        const form = inbound();
        return { form, signature: sign('/twilio/inbound', form, randomBytes(16).toString('hex')) };
      },
    },
    {
      name: 'inbound signed for another URL',
      path: '/twilio/inbound',
      build: () => {
        const form = inbound();
        return { form, signature: sign('/twilio/status', form) };
      },
    },
    {
      name: 'inbound with a signature lifted from another message',
      path: '/twilio/inbound',
      build: () => ({ form: inbound(), signature: sign('/twilio/inbound', inbound()) }),
    },
    {
      name: 'inbound for another Twilio account',
      path: '/twilio/inbound',
      build: () => {
        const form = inbound({ AccountSid: `AC${randomBytes(16).toString('hex')}` });
        return { form, signature: sign('/twilio/inbound', form) };
      },
    },
    {
      name: 'status callback without signature',
      path: '/twilio/status',
      build: () => ({ form: callback('failed'), signature: null }),
    },
    {
      name: 'status callback with a made-up signature',
      path: '/twilio/status',
      build: () => ({ form: callback('failed'), signature: randomBytes(20).toString('base64') }),
    },
    {
      name: 'status callback altered after signing (delivered → failed)',
      path: '/twilio/status',
      build: () => ({ form: callback('failed'), signature: sign('/twilio/status', callback('delivered')) }),
    },
  ];

  const before = versionCount(store);
  let sent = 0;
  const throughWithStatus = new Map<string, number>();
  for (const attack of attacks) {
    const writesBefore = versionCount(store);
    let through = 0;
    for (let i = 0; i < scale.forgedEach; i++) {
      const { form, signature } = attack.build();
      const { status } = await postWebhook(stack, attack.path, form, signature);
      sent++;
      if (status === 403) counts.delivered++;
      else {
        through++;
        throughWithStatus.set(attack.name, status);
      }
    }
    // Every request that got through is forged; the writes are counted once, for all kinds, below.
    counts.forged += through;
    const writes = versionCount(store) - writesBefore;
    if (writes > 0) counts.notes.push(`${attack.name}: ${writes} EHR writes`);
  }
  for (let i = 0; i < scale.forgedEach; i++) {
    const response = await fetch(url('/api/outbox/notify'), {
      method: 'POST',
      headers: { authorization: `Bearer ${randomBytes(16).toString('base64url')}` },
    });
    sent++;
    if (response.status === 401) counts.delivered++;
    else {
      counts.forged++;
      throughWithStatus.set('Subscription notification without the secret', response.status);
    }
  }
  await phone.settled();
  const writes = versionCount(store) - before;
  const after = await stack.fhir.read('Communication', target?.id ?? '');
  if (writes > 0 || twilioStatusOf(after) !== 'delivered' || after.status !== 'completed') {
    counts.forged += Math.max(writes, 1);
    counts.delivered = Math.max(0, counts.delivered - writes);
    counts.notes.push(`${writes} EHR writes during the attacks; target now ${after.status}/${twilioStatusOf(after)}`);
  }
  counts.sent = sent;
  counts.seconds = (performance.now() - started) / 1000;
  counts.notes.push(
    `${attacks.length + 1} kinds × ${scale.forgedEach}: ${attacks.map((attack) => attack.name).join('; ')}; ` +
      'Subscription notification without the secret',
  );
  for (const [name, status] of throughWithStatus) counts.notes.push(`got through: ${name} (answered ${status})`);
  return counts;
}
