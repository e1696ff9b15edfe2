/**
 * No PHI in the relay's logs: everything it logged during a send, an inbound text, a STOP and an unknown number is
 * searched for the patient's name, phone number in every written form, and the message bodies.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { PATIENTS, UNKNOWN_NUMBER_E164 } from '../../sandbox/seed/roster';
import { toE164, writtenForms } from '../../server/relay/normalisePhone';
import { twilioStatusOf } from '../../server/relay/outboundFields';
import { createPending, eventually, startRelayStack, type RelayStack } from './relay-support/relayStack';

let stack: RelayStack;

beforeAll(async () => {
  stack = await startRelayStack({ relayEnv: { LOG_LEVEL: 'trace' } });
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

test('when the relay sends and receives texts, then its logs hold no name, number or message body', async () => {
  const patient = PATIENTS.find((p) => p.id === 'p0015');
  const number = toE164(patient?.phone, 'US') ?? '';
  const outboundBody = 'Your biopsy result is benign, Kwame.';
  const inboundBody = 'Thank you, my chest pain is better';

  const pending = await createPending(stack, 'p0015', outboundBody);
  await fetch(`${stack.appUrl}/api/outbox/nudge`, { method: 'POST' });
  await eventually(
    () => stack.fhir.read('Communication', pending.id ?? ''),
    (c) => twilioStatusOf(c) === 'delivered',
  );
  await stack.sandbox.phone.sendInbound({ from: number, body: inboundBody });
  await stack.sandbox.phone.sendInbound({ from: number, body: 'STOP' });
  await stack.sandbox.phone.sendInbound({ from: UNKNOWN_NUMBER_E164, body: 'I need my oxycodone refill' });
  await stack.sandbox.phone.settled();
  await stack.relay.reconciler.run();

  const logs = stack.logLines.join('\n');
  expect(stack.logLines.length).toBeGreaterThan(10);
  expect(logs).toMatch(/inbound filed/);
  const secrets = [
    patient?.given ?? '',
    patient?.family ?? '',
    ...writtenForms(number),
    number.slice(2),
    ...writtenForms(UNKNOWN_NUMBER_E164),
    outboundBody,
    'biopsy',
    inboundBody,
    'chest pain',
    'oxycodone',
  ];
  const found = secrets.filter((secret) => secret.length > 0 && logs.toLowerCase().includes(secret.toLowerCase()));
  expect(found).toEqual([]);
});
