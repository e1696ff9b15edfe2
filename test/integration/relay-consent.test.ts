/**
 * SMS consent read whole over real HTTP (docs/decisions/053): the relay follows the EHR's next-page links, so an
 * opt-out is never missed because it sat on a later page of the Consent search.
 */
import type { Consent } from '@medplum/fhirtypes';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { CODE_SYSTEMS, codeFrom } from '../../fhir-profiles/vocabulary';
import { smsConsent } from '../../server/relay/checkConsent';
import { createPatient, createPending, startRelayStack, type RelayStack } from './relay-support/relayStack';

let stack: RelayStack;

beforeAll(async () => {
  stack = await startRelayStack();
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

test('when a patient’s STOP is on a later page of a long consent history, then the message is stopped and no SMS goes', async () => {
  const patient = await createPatient(stack, '+12015550166');
  const reference = `Patient/${patient.id ?? ''}`;
  const start = Date.now() - 3 * 86_400_000;
  const record = (decision: 'permit' | 'deny', minutes: number): Promise<Consent> =>
    stack.sandbox.store.createResource<Consent>(
      smsConsent({
        patient: reference,
        decision,
        now: new Date(start + minutes * 60_000),
        organization: stack.config.practiceOrganization,
        sourceUrl: 'Communication/staff-action',
        sourceTitle: 'staff',
      }),
    );
  for (let i = 0; i < 1_000; i++) await record('permit', i);
  await record('deny', 2_000);

  const body = 'Second page of consents';
  const pending = await createPending(stack, patient.id ?? '', body);
  await stack.relay.drain.request();
  const done = await stack.fhir.read('Communication', pending.id ?? '');
  expect(done.status).toBe('stopped');
  expect(codeFrom(done.statusReason, CODE_SYSTEMS.stopReason)).toBe('consent-denied');
  expect(stack.sandbox.phone.countMessages({ body })).toBe(0);
}, 60_000);
