import { describe, expect, test } from 'vitest';
import { checkClientAssertion } from './clientAssertion';

const now = 1_800_000_000;
const expected = {
  clientId: 'charttext-relay',
  tokenEndpoint: 'http://127.0.0.1:3001/auth/token',
  clockToleranceSeconds: 15,
  now,
};
const good = { iss: 'charttext-relay', sub: 'charttext-relay', aud: expected.tokenEndpoint, exp: now + 300, jti: 'j' };
const header = { alg: 'RS384', kid: 'k1', typ: 'JWT' };

describe('checkClientAssertion', () => {
  test.each([
    ['exp exactly five minutes ahead', good],
    ['exp within the clock tolerance', { ...good, exp: now + 310 }],
    ['aud as a list containing the token endpoint', { ...good, aud: ['x', expected.tokenEndpoint] }],
  ])('accepts %s', (_name, claims) => {
    expect(() => checkClientAssertion(claims, header, expected)).not.toThrow();
  });

  test.each([
    ['exp ten minutes ahead', { ...good, exp: now + 600 }, header, /five minutes/],
    ['aud the issuer', { ...good, aud: 'http://127.0.0.1:3001/auth' }, header, /token endpoint URL/],
    ['sub another client', { ...good, sub: 'someone' }, header, /sub must be the client_id/],
    ['no kid', good, { alg: 'RS384' }, /kid/],
  ])('refuses %s with invalid_client', (_name, claims, jwtHeader, message) => {
    let thrown: unknown;
    try {
      checkClientAssertion(claims, jwtHeader, expected);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ error: 'invalid_client' });
    expect((thrown as { error_detail?: string }).error_detail).toMatch(message);
  });
});
