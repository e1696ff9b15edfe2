import twilio from 'twilio';
import { describe, expect, test } from 'vitest';
import { parseConnectionOverrides, signWebhook, TWILIO_DEFAULT_RETRY } from './sendWebhook';

describe('connection overrides', () => {
  test.each([
    ['https://relay.example/twilio/inbound', 'https://relay.example/twilio/inbound', 0, ['connection']],
    ['https://relay.example/twilio/inbound#rc=3', 'https://relay.example/twilio/inbound', 3, ['connection']],
    ['https://relay.example/in?x=1#rc=2&rp=ct,5xx', 'https://relay.example/in?x=1', 2, ['connection', '5xx']],
    ['https://relay.example/in#rc=9&rp=all', 'https://relay.example/in', 5, ['connection', '4xx', '5xx']],
    ['https://relay.example/in#rp=4xx', 'https://relay.example/in', 0, ['4xx']],
  ])('when the URL is %s, then Twilio requests %s with %i retries on %j', (configured, requested, retries, on) => {
    const { url, retry } = parseConnectionOverrides(configured, TWILIO_DEFAULT_RETRY);
    expect(url).toBe(requested);
    expect(retry).toMatchObject({ retries, on });
  });
});

describe('webhook signature', () => {
  test.each([
    [{ MessageSid: 'SM1', Body: 'Hello' }],
    [{ Body: 'Emoji 👍 and RTL مرحبا', From: '+12015550123', MediaUrl0: 'https://x.example/a?b=c&d=e' }],
    [{}],
  ])('when Twilio signs %j, then the twilio SDK validates it, and not with another token', (params) => {
    const url = 'https://relay.example/twilio/inbound?tenant=a';
    const signature = signWebhook('token-1', url, params);
    expect(twilio.validateRequest('token-1', signature, url, params)).toBe(true);
    expect(twilio.validateRequest('token-2', signature, url, params)).toBe(false);
    expect(twilio.validateRequest('token-1', signature, url, { ...params, Extra: '1' })).toBe(false);
  });
});
