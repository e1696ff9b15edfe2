import { describe, expect, test } from 'vitest';
import { checkTwilioCredentials, checkTwilioNumber, type TwilioCallResult } from './checkTwilio';

describe('checkTwilioCredentials', () => {
  test.each<[TwilioCallResult, 'pass' | 'fail', RegExp]>([
    [{ ok: true }, 'pass', /can be listed/],
    [{ ok: false, status: 401, code: 20003, message: 'Authenticate' }, 'fail', /Copy TWILIO_ACCOUNT_SID/],
    [{ ok: false, status: 0, message: 'ECONNREFUSED' }, 'fail', /reach https:\/\/api\.twilio\.com/],
  ])('when the probe ends %j, then %s', (result, status, text) => {
    const row = checkTwilioCredentials('Twilio account', 'TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN', result);
    expect(row.status).toBe(status);
    expect(`${row.detail} ${row.fix ?? ''}`).toMatch(text);
  });
});

describe('checkTwilioNumber', () => {
  const options = { fromNumber: '+12015550100', publicBaseUrl: 'https://charttext.example.org' };
  test.each<
    [
      string,
      Parameters<typeof checkTwilioNumber>[0],
      Partial<typeof options> & { messagingServiceSid?: string },
      'pass' | 'warn' | 'fail',
      RegExp,
    ]
  >([
    ['webhook set', { smsUrl: 'https://charttext.example.org/twilio/inbound' }, {}, 'pass', /incoming messages →/],
    ['not on the account', undefined, {}, 'fail', /not a phone number of this Twilio account/],
    [
      'webhook elsewhere',
      { smsUrl: 'https://demo.twilio.com/welcome/sms/reply' },
      {},
      'warn',
      /A message comes in.*\/twilio\/inbound/,
    ],
    ['a TwiML app', { smsApplicationSid: `AP${'1'.repeat(32)}` }, {}, 'warn', /TwiML app/],
    [
      'a Messaging Service',
      { smsUrl: '' },
      { messagingServiceSid: `MG${'2'.repeat(32)}` },
      'warn',
      /Defer to sender’s webhook/,
    ],
  ])('when the number has %s, then %s', (_name, number, extra, status, text) => {
    const row = checkTwilioNumber(number, { ...options, ...extra });
    expect(row.status).toBe(status);
    expect(`${row.detail} ${row.fix ?? ''}`).toMatch(text);
  });
});
