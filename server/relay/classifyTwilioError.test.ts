import { describe, expect, test } from 'vitest';
import { classifySendFailure, deliveryFailureFlag, twilioErrorText, type SendFailure } from './classifyTwilioError';

describe('classifySendFailure', () => {
  test.each<[string, { status: number; code?: number }, SendFailure]>([
    ['Twilio unreachable', { status: 0 }, { action: 'retry' }],
    ['429 Too Many Requests', { status: 429, code: 20429 }, { action: 'retry' }],
    ['500', { status: 500 }, { action: 'retry' }],
    ['503', { status: 503, code: 20503 }, { action: 'retry' }],
    ['21610 opted out', { status: 400, code: 21610 }, { action: 'opted-out' }],
    ['21211 invalid number', { status: 400, code: 21211 }, { action: 'flag-number', flag: 'invalid-number' }],
    ['21614 not a mobile', { status: 400, code: 21614 }, { action: 'flag-number', flag: 'not-mobile' }],
    ['21617 body too long', { status: 400, code: 21617 }, { action: 'stop' }],
    ['401 bad credentials', { status: 401, code: 20003 }, { action: 'stop' }],
    ['400 without a code', { status: 400 }, { action: 'stop' }],
  ])('when Twilio answers %s, then the relay will %o', (_name, failure, expected) => {
    expect(classifySendFailure(failure)).toEqual(expected);
  });
});

describe('deliveryFailureFlag', () => {
  test.each<[number | undefined, string | undefined]>([
    [30006, 'landline'],
    [30003, undefined],
    [undefined, undefined],
  ])('error %s flags the number as %s', (code, flag) => {
    expect(deliveryFailureFlag(code)).toBe(flag);
  });
});

describe('twilioErrorText', () => {
  test.each<[number, string | undefined, string]>([
    [30006, undefined, 'Landline or unreachable carrier'],
    [21610, 'whatever Twilio said', 'Attempt to send to unsubscribed recipient'],
    [12345, 'Something new', 'Something new'],
    [12345, undefined, 'Twilio error 12345'],
  ])('code %s reads "%s"', (code, given, text) => {
    expect(twilioErrorText(code, given)).toBe(text);
  });
});
