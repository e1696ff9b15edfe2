/**
 * A FHIR R4 Subscription (rest-hook, empty payload) that tells the relay when an outbound message is pending, where the
 * EHR offers one (https://hl7.org/fhir/R4/subscription.html). Feature-detected from the CapabilityStatement; the
 * notification carries no data and only starts a drain, so the sweep stays the guarantee (docs/decisions/055).
 */
import type { CapabilityStatement, Subscription } from '@medplum/fhirtypes';
import type { RelayContext } from './context';
import { describeError } from './describeError';
import { pendingSearch } from './drainOutbox';

export type SubscriptionState = 'created' | 'exists' | 'unsupported' | 'failed';

/** True when the server says it can create Subscriptions (pure). */
export function supportsSubscriptions(statement: CapabilityStatement): boolean {
  return (statement.rest ?? []).some((rest) =>
    (rest.resource ?? []).some(
      (resource) => resource.type === 'Subscription' && (resource.interaction ?? []).some((i) => i.code === 'create'),
    ),
  );
}

/** The Subscription the relay asks for (pure). */
export function outboxSubscription(endpoint: string, secret: string): Subscription {
  const { _include: _i, _sort: _s, _count: _c, ...criteria } = pendingSearch(1);
  return {
    resourceType: 'Subscription',
    status: 'requested',
    reason: 'ChartText relay: send SMS for outbound Communications waiting in preparation',
    criteria: `Communication?${new URLSearchParams(criteria).toString()}`,
    channel: { type: 'rest-hook', endpoint, header: [`Authorization: Bearer ${secret}`] },
  };
}

/** Creates the relay's Subscription once per endpoint, if the EHR supports Subscriptions. */
export async function ensureSubscription(
  ctx: RelayContext,
  endpoint: string,
  secret: string,
): Promise<SubscriptionState> {
  try {
    if (!supportsSubscriptions(await ctx.fhir.capabilities())) return 'unsupported';
    const { created } = await ctx.fhir.create(outboxSubscription(endpoint, secret), {
      ifNoneExist: `url=${encodeURIComponent(endpoint)}`,
    });
    ctx.log.info({ created }, 'FHIR Subscription for pending outbound messages in place');
    return created ? 'created' : 'exists';
  } catch (err) {
    ctx.log.warn({ err: describeError(err) }, 'FHIR Subscription not available; relying on nudges and the sweep');
    return 'failed';
  }
}
