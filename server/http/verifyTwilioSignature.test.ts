import twilio from 'twilio';
import { describe, expect, test } from 'vitest';
import { isSignedBy } from './verifyTwilioSignature';

const TOKEN = 'test-auth-token-0123456789abcdef';
const FORM = { MessageSid: `SM${'a'.repeat(32)}`, From: '+12015550123', Body: 'Hi' };

describe('isSignedBy', () => {
  test.each<[string, string, string, Record<string, unknown>, boolean]>([
    [
      'the URL as configured',
      'https://relay.example/twilio/inbound',
      'https://relay.example/twilio/inbound',
      FORM,
      true,
    ],
    [
      'the same URL with its default port',
      'https://relay.example:443/twilio/inbound',
      'https://relay.example/twilio/inbound',
      FORM,
      true,
    ],
    [
      'the URL without the port it is served on',
      'http://127.0.0.1/twilio/inbound',
      'http://127.0.0.1:3000/twilio/inbound',
      FORM,
      true,
    ],
    ['another path', 'https://relay.example/twilio/status', 'https://relay.example/twilio/inbound', FORM, false],
    [
      'a changed body',
      'https://relay.example/twilio/inbound',
      'https://relay.example/twilio/inbound',
      { ...FORM, Body: 'Ho' },
      false,
    ],
  ])('when Twilio signed %s, then the check answers as the SDK does', (_, signedFor, url, form, expected) => {
    const signature = twilio.getExpectedTwilioSignature(TOKEN, signedFor, FORM);
    expect(isSignedBy(TOKEN, signature, url, form)).toBe(expected);
    expect(twilio.validateRequest(TOKEN, signature, url, form)).toBe(expected);
  });

  test('when the signature has another length or another token signed, then it is refused', () => {
    const url = 'https://relay.example/twilio/inbound';
    expect(isSignedBy(TOKEN, 'short', url, FORM)).toBe(false);
    expect(
      isSignedBy(TOKEN, twilio.getExpectedTwilioSignature('another-token-0123456789abcdef', url, FORM), url, FORM),
    ).toBe(false);
  });
});
