import { describe, expect, test } from 'vitest';
import { inboundMessage, outboundMessage } from '../../test/fixtures/messages';
import { practitioner } from '../../test/fixtures/people';
import { readThreadPage, toThreadMessage } from './messageModel';
import { flattenThread, latestUpdate, mergeMessages, removeMessage, type ThreadData } from './threadCache';
import { localMessage } from './useSendMessage';

const names = new Map<string, string>();
const data = (...pages: ReturnType<typeof toThreadMessage>[][]): ThreadData => ({
  pages: pages.map((messages) => ({ messages })),
  pageParams: pages.map(() => undefined),
});

describe('thread cache', () => {
  const a = toThreadMessage(inboundMessage({ id: 'a', sent: '2026-10-30T10:00:00Z' }), names);
  const b = toThreadMessage(outboundMessage({ id: 'b', sent: '2026-10-30T11:00:00Z' }), names);
  const c = toThreadMessage(inboundMessage({ id: 'c', sent: '2026-10-30T12:00:00Z' }), names);

  test('pages come newest first; the flattened thread is oldest first and each message once', () => {
    const thread = data([c, b], [b, a]);
    expect(flattenThread(thread).map((m) => m.id)).toEqual(['a', 'b', 'c']);
  });

  test('a new message is added as newest; a known one is replaced only by a newer version', () => {
    const d = toThreadMessage(inboundMessage({ id: 'd', sent: '2026-10-30T13:00:00Z' }), names);
    const bDelivered = toThreadMessage(
      outboundMessage({ id: 'b', sent: '2026-10-30T11:00:00Z', lastUpdated: '2026-10-30T11:05:00Z' }),
      names,
    );
    const merged = mergeMessages(data([c, b], [a]), [d, bDelivered]);
    expect(flattenThread(merged).map((m) => m.id)).toEqual(['a', 'b', 'c', 'd']);
    expect(merged?.pages[0]?.messages.find((m) => m.id === 'b')?.updatedAt).toBe('2026-10-30T11:05:00Z');
    const stale = mergeMessages(merged, [b]);
    expect(stale?.pages[0]?.messages.find((m) => m.id === 'b')?.updatedAt).toBe('2026-10-30T11:05:00Z');
  });

  test('the saved copy of a message replaces its optimistic copy (same client id)', () => {
    const local = localMessage({ text: 'On my way', clientMessageId: 'uuid-1' }, 'Practitioner/dr-lee');
    const withLocal = mergeMessages(data([c]), [local]);
    const saved = toThreadMessage(
      outboundMessage({ id: 'srv-1', status: 'preparation', identifier: [{ system: 'x', value: 'y' }] }),
      names,
    );
    const savedWithId = { ...saved, clientMessageId: 'uuid-1' };
    const merged = mergeMessages(withLocal, [savedWithId]);
    expect(flattenThread(merged).map((m) => m.id)).toEqual(['c', 'srv-1']);
    expect(flattenThread(removeMessage(withLocal, local.id)).map((m) => m.id)).toEqual(['c']);
  });

  test('latestUpdate is the newest meta.lastUpdated of saved messages', () => {
    expect(latestUpdate(data([c, b], [a]))).toBe('2026-10-30T12:00:00Z');
  });

  test('a page names senders from its included resources and skips entered-in-error', () => {
    const page = readThreadPage({
      resourceType: 'Bundle',
      type: 'searchset',
      link: [{ relation: 'next', url: 'https://ehr.example.org/fhir/Communication?_offset=50' }],
      entry: [
        { resource: outboundMessage({ id: 'b' }), search: { mode: 'match' } },
        { resource: outboundMessage({ id: 'e', status: 'entered-in-error' }), search: { mode: 'match' } },
        { resource: practitioner(), search: { mode: 'include' } },
      ],
    });
    expect(page.messages.map((m) => [m.id, m.senderName])).toEqual([['b', 'Dr. Dana Lee']]);
    expect(page.next).toMatch(/_offset=50/);
  });
});
