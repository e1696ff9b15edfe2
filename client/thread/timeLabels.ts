/**
 * Dates and times in the user's own time zone (the browser's), for day separators and message times.
 */

function parts(iso: string, timeZone?: string): { year: string; month: string; day: string } {
  const format = new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit', timeZone });
  const out = { year: '', month: '', day: '' };
  for (const part of format.formatToParts(new Date(iso))) {
    if (part.type === 'year' || part.type === 'month' || part.type === 'day') out[part.type] = part.value;
  }
  return out;
}

/** The calendar day of an instant in the zone, as YYYY-MM-DD. */
export function dayKey(iso: string, timeZone?: string): string {
  const { year, month, day } = parts(iso, timeZone);
  return `${year}-${month}-${day}`;
}

/** "Today", "Yesterday", "Monday, November 2", or with the year when it is not this year. */
export function dayLabel(iso: string, now: Date, timeZone?: string, locale?: string): string {
  const key = dayKey(iso, timeZone);
  const today = dayKey(now.toISOString(), timeZone);
  const yesterday = dayKey(new Date(now.getTime() - 86_400_000).toISOString(), timeZone);
  if (key === today) return 'Today';
  if (key === yesterday) return 'Yesterday';
  const sameYear = key.slice(0, 4) === today.slice(0, 4);
  return new Intl.DateTimeFormat(locale, {
    weekday: 'long',
    month: 'long',
    day: 'numeric',
    ...(sameYear ? {} : { year: 'numeric' }),
    timeZone,
  }).format(new Date(iso));
}

/** "3:42 PM": the time shown beside a message. */
export function timeLabel(iso: string, timeZone?: string, locale?: string): string {
  return new Intl.DateTimeFormat(locale, { hour: 'numeric', minute: '2-digit', timeZone }).format(new Date(iso));
}

/** The exact time shown on hover, with seconds and the zone. */
export function exactTime(iso: string, timeZone?: string, locale?: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeStyle: 'long', timeZone }).format(new Date(iso));
}
