/**
 * Dates and times in the user's own time zone (the browser's), for day separators and message times.
 *
 * Formatters are made once per locale, zone and style and reused: building an `Intl.DateTimeFormat` costs far more
 * than formatting with one, and a thread formats several dates per message while it first paints
 * (docs/decisions/049-thread-first-paint.md).
 */

/** The formats the thread uses (https://developer.mozilla.org/docs/Web/JavaScript/Reference/Global_Objects/Intl/DateTimeFormat). */
const STYLES = {
  day: { year: 'numeric', month: '2-digit', day: '2-digit' },
  weekday: { weekday: 'long', month: 'long', day: 'numeric' },
  weekdayAndYear: { weekday: 'long', month: 'long', day: 'numeric', year: 'numeric' },
  time: { hour: 'numeric', minute: '2-digit' },
  exact: { dateStyle: 'full', timeStyle: 'long' },
} satisfies Record<string, Intl.DateTimeFormatOptions>;

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The formatter for a style in `locale` and `timeZone` (default: the browser's), made on first use. */
function formatter(
  style: keyof typeof STYLES,
  locale: string | undefined,
  timeZone: string | undefined,
): Intl.DateTimeFormat {
  const key = `${style} ${locale ?? ''} ${timeZone ?? ''}`;
  let format = formatters.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { ...STYLES[style], timeZone });
    formatters.set(key, format);
  }
  return format;
}

function parts(iso: string, timeZone?: string): { year: string; month: string; day: string } {
  const format = formatter('day', 'en-CA', timeZone);
  const out = { year: '', month: '', day: '' };
  for (const part of format.formatToParts(new Date(iso))) {
    if (part.type === 'year' || part.type === 'month' || part.type === 'day') out[part.type] = part.value;
  }
  return out;
}

const twoDigits = (n: number): string => String(n).padStart(2, '0');

/** The calendar day of an instant in the zone (default: the browser's), as YYYY-MM-DD. */
export function dayKey(iso: string, timeZone?: string): string {
  if (timeZone === undefined) {
    // The browser's zone: Date's local fields say the same as Intl and cost far less (one call per message).
    const date = new Date(iso);
    return `${date.getFullYear()}-${twoDigits(date.getMonth() + 1)}-${twoDigits(date.getDate())}`;
  }
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
  return formatter(sameYear ? 'weekday' : 'weekdayAndYear', locale, timeZone).format(new Date(iso));
}

/** "3:42 PM": the time shown beside a message. */
export function timeLabel(iso: string, timeZone?: string, locale?: string): string {
  return formatter('time', locale, timeZone).format(new Date(iso));
}

/** The exact time shown on hover, with seconds and the zone. */
export function exactTime(iso: string, timeZone?: string, locale?: string): string {
  return formatter('exact', locale, timeZone).format(new Date(iso));
}

/** Makes the thread's formatters ahead of its first render (while its first page is on the way), at no other cost. */
export function prepareTimeLabels(): void {
  for (const style of ['time', 'exact', 'weekday'] as const) formatter(style, undefined, undefined);
}
