import { describe, expect, test } from 'vitest';
import { isFinalTwilioStatus, nextOutboundState, type OutboundState, type TwilioStatus } from './mapTwilioStatus';

const at = (twilioStatus: TwilioStatus | undefined, status: OutboundState['status'] = 'in-progress'): OutboundState =>
  twilioStatus === undefined ? { status } : { status, twilioStatus };

describe('nextOutboundState', () => {
  test.each<[string, OutboundState, TwilioStatus, 'in-progress' | 'completed' | 'stopped']>([
    ['claimed, first callback sent', at(undefined), 'sent', 'in-progress'],
    ['claimed, straight to delivered', at(undefined), 'delivered', 'completed'],
    ['queued → sending', at('queued'), 'sending', 'in-progress'],
    ['queued → sent', at('queued'), 'sent', 'in-progress'],
    ['accepted (Messaging Service) → queued', at('accepted'), 'queued', 'in-progress'],
    ['sent → delivered', at('sent'), 'delivered', 'completed'],
    ['queued → delivered (sent callback lost)', at('queued'), 'delivered', 'completed'],
    ['sent → undelivered', at('sent'), 'undelivered', 'stopped'],
    ['sent → failed', at('sent'), 'failed', 'stopped'],
    ['queued → failed', at('queued'), 'failed', 'stopped'],
    ['scheduled → canceled', at('scheduled'), 'canceled', 'stopped'],
    ['delivered → read', at('delivered', 'completed'), 'read', 'completed'],
  ])('when %s, then the message moves to %s', (_name, current, incoming, status) => {
    expect(nextOutboundState(current, incoming)).toEqual({ change: true, status, twilioStatus: incoming });
  });

  test.each<[string, OutboundState, TwilioStatus, string]>([
    ['the same status twice', at('sent'), 'sent', 'duplicate'],
    ['delivered replayed', at('delivered', 'completed'), 'delivered', 'duplicate'],
    ['a late sent after delivered', at('delivered', 'completed'), 'sent', 'final'],
    ['a late queued after sent', at('sent'), 'queued', 'late'],
    ['a late sending after sent', at('sent'), 'sending', 'late'],
    ['delivered after undelivered', at('undelivered', 'stopped'), 'delivered', 'final'],
    ['failed after delivered', at('delivered', 'completed'), 'failed', 'final'],
    ['read after failed', at('failed', 'stopped'), 'read', 'final'],
    ['sent after read', at('read', 'completed'), 'sent', 'final'],
    ['a callback for a message the relay stopped itself', at(undefined, 'stopped'), 'delivered', 'not-sent-by-twilio'],
  ])('when %s, then nothing changes (%s)', (_name, current, incoming, reason) => {
    expect(nextOutboundState(current, incoming)).toEqual({ change: false, reason });
  });

  test('whatever order the callbacks of one message arrive in, the final state is the final status', () => {
    const callbacks: TwilioStatus[] = ['queued', 'sending', 'sent', 'delivered'];
    const permutations = (items: TwilioStatus[]): TwilioStatus[][] =>
      items.length <= 1
        ? [items]
        : items.flatMap((item, i) =>
            permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
          );
    for (const order of permutations(callbacks)) {
      let state: OutboundState = at(undefined);
      for (const incoming of order) {
        const next = nextOutboundState(state, incoming);
        if (next.change) state = { status: next.status, twilioStatus: next.twilioStatus };
      }
      expect(state).toEqual({ status: 'completed', twilioStatus: 'delivered' });
    }
  });

  test.each<[TwilioStatus, boolean]>([
    ['queued', false],
    ['sent', false],
    ['delivered', true],
    ['read', true],
    ['undelivered', true],
    ['failed', true],
    ['canceled', true],
  ])('%s is final: %s', (status, final) => {
    expect(isFinalTwilioStatus(status)).toBe(final);
  });
});
