import { describe, expect, test } from 'vitest';
import { inboundMessage, outboundMessage } from '../../test/fixtures/messages';
import { withReadAt } from '../thread/useMarkRead';
import { readActivity, unreadLabel, waitLabel } from './inboxModel';

const NOW = new Date('2026-11-01T15:00:00.000Z');

describe('waitLabel', () => {
  test.each([
    ['2026-11-01T14:59:40.000Z', 'just now'],
    ['2026-11-01T14:48:00.000Z', '12 min'],
    ['2026-11-01T12:55:00.000Z', '2 h 5 min'],
    ['2026-11-01T12:00:00.000Z', '3 h'],
    ['2026-10-30T11:00:00.000Z', '2 d 4 h'],
    ['2026-10-31T15:00:00.000Z', '1 d'],
    ['2026-11-01T16:00:00.000Z', 'just now'],
  ])('since %s is "%s"', (since, label) => {
    expect(waitLabel(since, NOW)).toBe(label);
  });
});

describe('readActivity', () => {
  test('when the patient texted twice since the wait began, then both count as unread and the latest is the snippet', () => {
    const activity = readActivity(
      [
        inboundMessage({ id: 'b', body: 'Hello?', sent: '2026-11-01T14:10:00.000Z' }),
        inboundMessage({ id: 'a', body: 'Is my prescription ready?', sent: '2026-11-01T14:00:00.000Z' }),
        outboundMessage({ id: 'o', body: 'See you', sent: '2026-10-30T10:00:00.000Z' }),
      ],
      '2026-11-01T14:00:00.000Z',
    );
    expect(activity).toMatchObject({ snippet: 'Hello?', direction: 'inbound', unread: 2, unreadAtLeast: false });
    expect(unreadLabel(activity)).toBe('2');
  });

  test('when staff opened a reply, then it is not unread; older replies from before the wait do not count', () => {
    const activity = readActivity(
      [
        withReadAt(inboundMessage({ id: 'b', sent: '2026-11-01T14:10:00.000Z' }), '2026-11-01T14:20:00.000Z'),
        inboundMessage({ id: 'a', sent: '2026-10-01T14:00:00.000Z' }),
      ],
      '2026-11-01T14:00:00.000Z',
    );
    expect(activity.unread).toBe(0);
  });

  test('when a whole page is unread, then there may be more', () => {
    const page = Array.from({ length: 10 }, (_, i) =>
      inboundMessage({ id: `m${i}`, sent: `2026-11-01T14:${String(10 + i)}:00.000Z` }),
    );
    const activity = readActivity(page, '2026-11-01T14:00:00.000Z');
    expect(unreadLabel(activity)).toBe('10+');
  });

  test('a picture without text reads as a picture', () => {
    const activity = readActivity(
      [inboundMessage({ id: 'p', payload: [{ contentAttachment: { url: 'Binary/1', contentType: 'image/png' } }] })],
      undefined,
    );
    expect(activity.snippet).toBe('(a picture)');
  });
});
