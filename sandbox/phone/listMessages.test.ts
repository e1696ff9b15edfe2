import { describe, expect, test } from 'vitest';
import { listMessages, parseDateSent } from './listMessages';
import type { MessageRecord } from './messageRecord';
import { TwilioApiError } from './twilioErrors';

const ACCOUNT = 'AC' + 'a'.repeat(32);

const message = (seq: number, overrides: Partial<MessageRecord> = {}): MessageRecord => ({
  seq,
  sid: `SM${String(seq).padStart(32, '0')}`,
  accountSid: ACCOUNT,
  direction: 'outbound-api',
  from: '+12015550100',
  to: '+12015550123',
  body: `Message ${seq}`,
  status: 'delivered',
  errorCode: null,
  errorMessage: null,
  messagingServiceSid: null,
  numSegments: 1,
  media: [],
  statusCallback: null,
  dateCreated: `2026-11-0${seq}T12:00:00.000Z`,
  dateUpdated: `2026-11-0${seq}T12:00:00.000Z`,
  dateSent: `2026-11-0${seq}T12:00:00.500Z`,
  ...overrides,
});

const seconds = (iso: string): number => Date.parse(iso) / 1000;

describe('parseDateSent', () => {
  test.each([
    ['2026-11-02', seconds('2026-11-02T00:00:00Z'), seconds('2026-11-02T23:59:59Z')],
    ['2026-11-02T12:00:00Z', seconds('2026-11-02T12:00:00Z'), seconds('2026-11-02T12:00:00Z')],
    ['Mon, 02 Nov 2026 12:00:00 +0000', seconds('2026-11-02T12:00:00Z'), seconds('2026-11-02T12:00:00Z')],
    ['2026-11-02 12:00:00.000', seconds('2026-11-02T12:00:00Z'), seconds('2026-11-02T12:00:00Z')],
  ])('when DateSent is %j, then it spans %i to %i', (value, start, end) => {
    expect(parseDateSent(value)).toEqual({ start, end });
  });

  test('when DateSent is not a date, then the request is refused with a Twilio error', () => {
    expect(() => parseDateSent('yesterday-ish')).toThrow(TwilioApiError);
  });
});

describe('listMessages', () => {
  const log = [1, 2, 3, 4, 5].map((seq) => message(seq));

  test.each([
    [{ 'DateSent>': '2026-11-03' }, [5, 4, 3]],
    [{ 'DateSent<': '2026-11-02' }, [2, 1]],
    [{ DateSent: '2026-11-03T08:00:00Z' }, [3]],
    [{ 'DateSent>': '2026-11-03T12:00:00Z' }, [5, 4, 3]],
    [{ 'DateSent>': '2026-11-02', 'DateSent<': '2026-11-04' }, [4, 3, 2]],
    [{ To: '+12015550199' }, []],
  ])('when filtered by %j, then messages %j come back, newest first', (query, expected) => {
    expect(listMessages(ACCOUNT, log, query).messages.map((listed) => listed.body)).toEqual(
      expected.map((seq) => `Message ${seq}`),
    );
  });

  test('when messages are still queued, then date filters leave them out', () => {
    const withQueued = [...log, message(6, { status: 'queued', dateSent: null })];
    expect(listMessages(ACCOUNT, withQueued, {}).messages).toHaveLength(6);
    expect(listMessages(ACCOUNT, withQueued, { 'DateSent>': '2026-11-01' }).messages).toHaveLength(5);
  });

  test('when paging by token while new messages arrive, then no message is skipped or repeated', () => {
    const first = listMessages(ACCOUNT, log, { PageSize: '2' });
    expect(first).toMatchObject({ page: 0, page_size: 2, start: 0, end: 1, previous_page_uri: null });
    expect(first.next_page_uri).toMatch(
      /^\/2010-04-01\/Accounts\/ACa{32}\/Messages\.json\?PageSize=2&Page=1&PageToken=PASM\d{32}$/,
    );
    const next = new URLSearchParams(first.next_page_uri?.split('?')[1]);
    const grown = [...log, message(6)];
    const second = listMessages(ACCOUNT, grown, Object.fromEntries(next));
    expect([...first.messages, ...second.messages].map((listed) => listed.body)).toEqual([
      'Message 5',
      'Message 4',
      'Message 3',
      'Message 2',
    ]);
    expect(second.previous_page_uri).toMatch(/PageToken=PB/);
  });

  test('when filters are given, then the page URIs keep them, encoded as Twilio does', () => {
    const page = listMessages(ACCOUNT, log, { To: '+12015550123', 'DateSent>': '2026-11-01', PageSize: '50' });
    expect(page.uri).toBe(
      `/2010-04-01/Accounts/${ACCOUNT}/Messages.json?To=%2B12015550123&DateSent%3E=2026-11-01&PageSize=50&Page=0`,
    );
    expect(page.next_page_uri).toBeNull();
  });
});
