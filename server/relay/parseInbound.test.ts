import { describe, expect, test } from 'vitest';
import { parseInboundWebhook } from './parseInbound';

const SID = 'SM0123456789abcdef0123456789abcdef';
const base = {
  MessageSid: SID,
  AccountSid: 'AC0123456789abcdef0123456789abcdef',
  From: '+12015550123',
  To: '+12015550100',
  Body: 'Hi',
  NumMedia: '0',
};

describe('parseInboundWebhook', () => {
  test('when Twilio posts a text, then the message has its SID, numbers and body', () => {
    expect(parseInboundWebhook({ ...base, NumSegments: '1' })).toEqual({
      ok: true,
      sms: {
        sid: SID,
        accountSid: base.AccountSid,
        from: base.From,
        to: base.To,
        body: 'Hi',
        media: [],
        numSegments: 1,
      },
    });
  });

  test('when Twilio posts a picture, then each media URL and type is kept', () => {
    const result = parseInboundWebhook({
      ...base,
      MessageSid: 'MM0123456789abcdef0123456789abcdef',
      Body: '',
      NumMedia: '2',
      MediaUrl0: 'https://api.twilio.com/a',
      MediaContentType0: 'image/jpeg',
      MediaUrl1: 'https://api.twilio.com/b',
      MediaContentType1: 'image/png',
    });
    expect(result.ok && result.sms.media).toEqual([
      { url: 'https://api.twilio.com/a', contentType: 'image/jpeg' },
      { url: 'https://api.twilio.com/b', contentType: 'image/png' },
    ]);
  });

  test.each<[string, Record<string, unknown>, RegExp]>([
    ['no SID', { ...base, MessageSid: undefined }, /MessageSid/],
    ['a SID that is not Twilio’s', { ...base, MessageSid: 'SM123' }, /MessageSid/],
    ['no From', { ...base, From: undefined }, /From and To/],
    ['a malformed AccountSid', { ...base, AccountSid: 'x' }, /AccountSid/],
    ['NumMedia 11', { ...base, NumMedia: '11' }, /NumMedia/],
    ['NumMedia 1 without its URL', { ...base, NumMedia: '1' }, /MediaUrl0/],
    ['a repeated field (array)', { ...base, From: ['+12015550123', '+12015550124'] }, /From and To/],
  ])('when the form has %s, then it is refused naming the field', (_name, form, error) => {
    const result = parseInboundWebhook(form);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(error);
  });
});
