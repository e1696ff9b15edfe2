import { describe, expect, test } from 'vitest';
import { dayKey, dayLabel, exactTime, timeLabel } from './timeLabels';

const now = new Date('2026-11-01T15:00:00Z');

describe('time labels', () => {
  test.each([
    ['2026-11-01T09:00:00Z', 'UTC', 'Today'],
    ['2026-10-31T23:30:00Z', 'UTC', 'Yesterday'],
    ['2026-10-28T12:00:00Z', 'UTC', 'Wednesday, October 28'],
    ['2025-12-24T12:00:00Z', 'UTC', 'Wednesday, December 24, 2025'],
    // 03:00 UTC on Nov 1 is still Oct 31 in New York: the user's zone decides the day.
    ['2026-11-01T03:00:00Z', 'America/New_York', 'Yesterday'],
  ])('%s in %s is "%s"', (iso, zone, label) => {
    expect(dayLabel(iso, now, zone, 'en-US')).toBe(label);
  });

  test('the day key follows the zone', () => {
    expect(dayKey('2026-11-01T03:00:00Z', 'UTC')).toBe('2026-11-01');
    expect(dayKey('2026-11-01T03:00:00Z', 'America/Los_Angeles')).toBe('2026-10-31');
  });

  test('short time beside the message, exact time on hover', () => {
    expect(timeLabel('2026-10-30T14:05:09Z', 'UTC', 'en-US')).toBe('2:05 PM');
    expect(exactTime('2026-10-30T14:05:09Z', 'UTC', 'en-US')).toBe('Friday, October 30, 2026 at 2:05:09 PM UTC');
  });

  test.each(['2026-01-01T00:30:00Z', '2026-06-30T23:59:59Z', '2026-11-01T03:00:00Z', '2025-12-31T12:00:00.123Z'])(
    'without a zone, the day of %s is the browser zone’s day',
    (iso) => {
      const browserZone = new Intl.DateTimeFormat().resolvedOptions().timeZone;
      expect(dayKey(iso)).toBe(dayKey(iso, browserZone));
    },
  );

  test('when zones or locales differ, then each gets its own formatting (formatters are reused, not shared)', () => {
    const iso = '2026-10-30T14:05:09Z';
    expect(timeLabel(iso, 'UTC', 'en-US')).toBe('2:05 PM');
    expect(timeLabel(iso, 'America/New_York', 'en-US')).toBe('10:05 AM');
    expect(timeLabel(iso, 'UTC', 'en-GB')).toBe('14:05');
    expect(timeLabel(iso, 'UTC', 'en-US')).toBe('2:05 PM');
  });
});
