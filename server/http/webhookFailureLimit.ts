/**
 * A limit on forged Twilio webhooks that never slows Twilio down. Twilio delivers inbound messages without limit and
 * does not retry a refused one, so a validly signed request is never refused by it: the signature is checked first,
 * and only requests that fail it count, per client address. An address past `maxFailures` failed requests in the
 * current window has its next unsigned requests answered 429 instead of 403 until the window ends. Behind a proxy
 * whose X-Forwarded-For is not believed, everyone shares one address — and Twilio still gets through, because its
 * requests are signed. Memory is bounded by `maxTracked` addresses. docs/decisions/081-security-headers.md
 */

/** Rejected webhook requests one address may send per minute before the next are answered 429. */
export const WEBHOOK_FAILURES_PER_MINUTE = 30;

export interface WebhookFailureLimitOptions {
  maxFailures: number;
  windowMs: number;
  /** Most addresses remembered at once. */
  maxTracked?: number;
  now?: () => number;
}

export interface WebhookFailureLimit {
  /**
   * Counts a request from `address` that failed the signature check; the seconds until the address's window ends when
   * it is past the limit (answer 429 with Retry-After), else undefined (answer 403).
   */
  recordFailure(address: string): number | undefined;
}

interface Tally {
  failures: number;
  windowStart: number;
}

/** A failure tally per address, in memory. */
export function createWebhookFailureLimit(options: WebhookFailureLimitOptions): WebhookFailureLimit {
  const now = options.now ?? Date.now;
  const maxTracked = options.maxTracked ?? 10_000;
  const tallies = new Map<string, Tally>();

  const current = (key: string, at: number): Tally | undefined => {
    const tally = tallies.get(key);
    if (tally && at - tally.windowStart >= options.windowMs) {
      tallies.delete(key);
      return undefined;
    }
    return tally;
  };

  return {
    recordFailure(address) {
      const at = now();
      let tally = current(address, at);
      if (!tally) {
        if (tallies.size >= maxTracked) {
          for (const [other, old] of tallies) if (at - old.windowStart >= options.windowMs) tallies.delete(other);
          if (tallies.size >= maxTracked) tallies.clear();
        }
        tally = { failures: 0, windowStart: at };
        tallies.set(address, tally);
      }
      tally.failures += 1;
      if (tally.failures <= options.maxFailures) return undefined;
      return Math.max(1, Math.ceil((tally.windowStart + options.windowMs - at) / 1000));
    },
  };
}
