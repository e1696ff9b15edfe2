import { describe, expect, test } from 'vitest';
import { contentTypeFromUrl, segmentsOf } from './createMessage';
import { twimlMessages } from './receiveInbound';
import { newSid, toRfc2822 } from './twilioResource';

describe('Twilio formats', () => {
  test.each([
    ['2023-08-24T05:01:45.000Z', 'Thu, 24 Aug 2023 05:01:45 +0000'],
    ['2026-01-04T23:59:59.999Z', 'Sun, 04 Jan 2026 23:59:59 +0000'],
  ])('when an instant is %s, then Twilio writes %s', (iso, rfc2822) => {
    expect(toRfc2822(iso)).toBe(rfc2822);
  });

  test.each(['SM', 'MM', 'ME'] as const)('a new %s SID is the prefix and 32 hex digits, and unique', (prefix) => {
    const sid = newSid(prefix);
    expect(sid).toMatch(new RegExp(`^${prefix}[0-9a-f]{32}$`));
    expect(newSid(prefix)).not.toBe(sid);
  });

  test.each([
    ['Hello', 0, 1],
    ['a'.repeat(160), 0, 1],
    ['a'.repeat(161), 0, 2],
    ['Hello 👍', 0, 1],
    ['👍'.repeat(36), 0, 2],
    ['a'.repeat(1600), 0, 11],
    ['', 1, 1],
    ['a'.repeat(500), 2, 1],
  ])('when the body is %j with %i media, then Twilio bills %i segments', (body, media, segments) => {
    expect(segmentsOf(body, media)).toBe(segments);
  });

  test.each([
    ['https://x.example/a.png', 'image/png'],
    ['https://x.example/a.JPG?v=1', 'image/jpeg'],
    ['https://x.example/doc.pdf', 'application/pdf'],
    ['https://x.example/media/123', 'application/octet-stream'],
  ])('when a media URL is %s, then its content type is %s', (url, type) => {
    expect(contentTypeFromUrl(url)).toBe(type);
  });
});

describe('TwiML replies', () => {
  test.each([
    ['<Response></Response>', []],
    ['<?xml version="1.0"?><Response><Message>Thanks!</Message></Response>', ['Thanks!']],
    [
      '<Response><Message to="+1"><Body>A &amp; B &lt;3 &#128077;</Body><Media>https://x/a.png</Media></Message></Response>',
      ['A & B <3 👍'],
    ],
    ['<Response><Message>One</Message><Message>Two</Message><Message/></Response>', ['One', 'Two']],
  ])('when the relay answers %s, then the replies are %j', (twiml, texts) => {
    expect(twimlMessages(twiml)).toEqual(texts);
  });
});
