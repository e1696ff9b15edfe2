import { describe, expect, test } from 'vitest';
import { createWebhookFailureLimit } from './webhookFailureLimit';

describe('createWebhookFailureLimit', () => {
  test('when an address fails up to the limit, then each failure is a plain refusal; past it, 429 until the window ends', () => {
    let clock = 0;
    const limit = createWebhookFailureLimit({ maxFailures: 3, windowMs: 60_000, now: () => clock });
    expect([1, 2, 3].map(() => limit.recordFailure('198.51.100.2'))).toEqual([undefined, undefined, undefined]);
    expect(limit.recordFailure('198.51.100.2')).toBe(60);
    clock = 45_000;
    expect(limit.recordFailure('198.51.100.2')).toBe(15);
    expect(limit.recordFailure('198.51.100.3')).toBeUndefined();
    clock = 60_000;
    expect(limit.recordFailure('198.51.100.2')).toBeUndefined();
  });

  test('when more addresses fail than it tracks, then memory stays bounded and the limit still applies', () => {
    const clock = 0;
    const limit = createWebhookFailureLimit({ maxFailures: 3, windowMs: 60_000, maxTracked: 2, now: () => clock });
    for (const address of ['192.0.2.1', '192.0.2.2', '192.0.2.3']) expect(limit.recordFailure(address)).toBeUndefined();
    for (let i = 0; i < 3; i += 1) limit.recordFailure('192.0.2.9');
    expect(limit.recordFailure('192.0.2.9')).toBeGreaterThan(0);
  });
});
