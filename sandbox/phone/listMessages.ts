/**
 * `GET /2010-04-01/Accounts/{AccountSid}/Messages.json`: Twilio's filters (To, From, DateSent, DateSent<, DateSent>)
 * and paging (PageSize, Page, PageToken; next_page_uri and friends relative to https://api.twilio.com, which is what
 * the SDK follows). Newest first. A page token names the last message of the previous page, so paging stays stable
 * while new messages arrive — reconciliation pages through the log while patients keep texting.
 * https://www.twilio.com/docs/messaging/api/message-resource#read-multiple-message-resources
 */
import type { MessageRecord } from './messageRecord';
import { TwilioApiError } from './twilioErrors';
import { messagesPath, toMessageResource, type MessageResource } from './twilioResource';

type QueryValue = string | string[] | undefined;

interface SentFilter {
  /** Inclusive bounds in whole seconds since the epoch. */
  from?: number;
  to?: number;
}

const DAY_SECONDS = 86_400;
const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 1000;

const single = (value: QueryValue): string | undefined => (Array.isArray(value) ? value[0] : value);

/**
 * The bounds a DateSent value sets, in seconds: a bare `YYYY-MM-DD` is that whole day (UTC); anything else is read
 * as an instant (ISO 8601, RFC 2822, `YYYY-MM-DD hh:mm:ss` taken as UTC).
 */
export function parseDateSent(value: string): { start: number; end: number } {
  const trimmed = value.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(trimmed)) {
    const start = Date.parse(`${trimmed}T00:00:00Z`) / 1000;
    if (Number.isNaN(start)) throw invalidDate();
    return { start, end: start + DAY_SECONDS - 1 };
  }
  const isoWithoutZone = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(trimmed);
  const ms = Date.parse(isoWithoutZone ? `${trimmed.replace(' ', 'T')}Z` : trimmed);
  if (Number.isNaN(ms)) throw invalidDate();
  const seconds = Math.floor(ms / 1000);
  return { start: seconds, end: seconds };
}

const invalidDate = (): TwilioApiError =>
  new TwilioApiError(20001, 400, 'DateSent must be a date (YYYY-MM-DD) or a date and time');

export interface MessagePage {
  first_page_uri: string;
  end: number;
  previous_page_uri: string | null;
  messages: MessageResource[];
  uri: string;
  page_size: number;
  start: number;
  next_page_uri: string | null;
  page: number;
}

/** One page of the account's messages matching the query, as Twilio's list response. */
export function listMessages(
  accountSid: string,
  messages: readonly MessageRecord[],
  query: Record<string, QueryValue>,
): MessagePage {
  const to = single(query.To)?.trim();
  const from = single(query.From)?.trim();
  const on = single(query.DateSent);
  const before = single(query['DateSent<']);
  const after = single(query['DateSent>']);
  const sent: SentFilter = {};
  if (on !== undefined) {
    // DateSent=… means a whole day (UTC), even when written with a time, as the SDK writes it.
    const dayStart = Math.floor(parseDateSent(on).start / DAY_SECONDS) * DAY_SECONDS;
    sent.from = dayStart;
    sent.to = dayStart + DAY_SECONDS - 1;
  }
  if (before !== undefined) sent.to = Math.min(sent.to ?? Infinity, parseDateSent(before).end);
  if (after !== undefined) sent.from = Math.max(sent.from ?? -Infinity, parseDateSent(after).start);

  const pageSize = clamp(Number.parseInt(single(query.PageSize) ?? '', 10) || DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE);
  const page = Math.max(0, Number.parseInt(single(query.Page) ?? '', 10) || 0);
  const pageToken = single(query.PageToken);

  const dated = sent.from !== undefined || sent.to !== undefined;
  const matching: MessageRecord[] = [];
  for (let index = messages.length - 1; index >= 0; index -= 1) {
    const message = messages[index];
    if (message === undefined) continue;
    if (to !== undefined && message.to !== to) continue;
    if (from !== undefined && message.from !== from) continue;
    if (dated) {
      if (message.dateSent === null) continue;
      const seconds = Math.floor(Date.parse(message.dateSent) / 1000);
      if (sent.from !== undefined && seconds < sent.from) continue;
      if (sent.to !== undefined && seconds > sent.to) continue;
    }
    matching.push(message);
  }

  let offset = page * pageSize;
  let endExclusive = offset + pageSize;
  if (pageToken !== undefined && pageToken.length > 2) {
    const sid = pageToken.slice(2);
    const index = matching.findIndex((message) => message.sid === sid);
    if (index !== -1 && pageToken.startsWith('PB')) {
      offset = Math.max(0, index - pageSize);
      endExclusive = index;
    } else if (index !== -1) {
      offset = index + 1;
      endExclusive = offset + pageSize;
    }
  }
  const slice = matching.slice(offset, endExclusive);

  const filters = new URLSearchParams();
  if (to !== undefined) filters.append('To', to);
  if (from !== undefined) filters.append('From', from);
  if (on !== undefined) filters.append('DateSent', on);
  if (before !== undefined) filters.append('DateSent<', before);
  if (after !== undefined) filters.append('DateSent>', after);
  const uriFor = (pageNumber: number, token?: string): string => {
    const params = new URLSearchParams(filters);
    params.append('PageSize', String(pageSize));
    params.append('Page', String(pageNumber));
    if (token !== undefined) params.append('PageToken', token);
    return `${messagesPath(accountSid)}.json?${params.toString()}`;
  };
  const last = slice.at(-1);
  const firstOnPage = slice[0];
  const hasMore = offset + slice.length < matching.length;

  return {
    first_page_uri: uriFor(0),
    end: offset + Math.max(0, slice.length - 1),
    previous_page_uri: page > 0 && firstOnPage !== undefined ? uriFor(page - 1, `PB${firstOnPage.sid}`) : null,
    messages: slice.map(toMessageResource),
    uri: uriFor(page, pageToken),
    page_size: pageSize,
    start: offset,
    next_page_uri: hasMore && last !== undefined ? uriFor(page + 1, `PA${last.sid}`) : null,
    page,
  };
}

const clamp = (value: number, min: number, max: number): number => Math.min(max, Math.max(min, value));
