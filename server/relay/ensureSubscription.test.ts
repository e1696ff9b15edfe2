import type { CapabilityStatement } from '@medplum/fhirtypes';
import { describe, expect, test } from 'vitest';
import { createTestContext } from '../../test/integration/relay-support/testContext';
import { ensureSubscription, outboxSubscription, supportsSubscriptions } from './ensureSubscription';

const statement = (resources: NonNullable<CapabilityStatement['rest']>[number]['resource']): CapabilityStatement => ({
  resourceType: 'CapabilityStatement',
  status: 'active',
  date: '2026-01-01',
  kind: 'instance',
  fhirVersion: '4.0.1',
  format: ['json'],
  rest: [{ mode: 'server', resource: resources }],
});

describe('Subscription feature detection', () => {
  test.each<[string, CapabilityStatement, boolean]>([
    ['Subscription with create', statement([{ type: 'Subscription', interaction: [{ code: 'create' }] }]), true],
    ['Subscription read-only', statement([{ type: 'Subscription', interaction: [{ code: 'read' }] }]), false],
    ['no Subscription', statement([{ type: 'Communication', interaction: [{ code: 'create' }] }]), false],
  ])('when the EHR declares %s, then supported is %s', (_name, capabilities, supported) => {
    expect(supportsSubscriptions(capabilities)).toBe(supported);
  });

  test('the Subscription asks for pending outbound SMS, with no payload and the secret header', () => {
    const subscription = outboxSubscription('https://relay.example.org/api/outbox/notify', 's3cret');
    expect(subscription.criteria).toMatch(/^Communication\?status=preparation&medium=.+&category=.+outbound$/);
    expect(subscription.channel).toEqual({
      type: 'rest-hook',
      endpoint: 'https://relay.example.org/api/outbox/notify',
      header: ['Authorization: Bearer s3cret'],
    });
  });

  test('when the EHR offers no Subscription, then none is created and the relay relies on the sweep', async () => {
    const ctx = createTestContext();
    expect(await ensureSubscription(ctx, 'https://relay.example.org/api/outbox/notify', 'x')).toBe('unsupported');
  });
});
