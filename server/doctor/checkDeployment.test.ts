import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { loadSigningKey } from '../adapters/signingKey';
import {
  checkBrowserOrigins,
  checkPublicUrl,
  checkRelaySettings,
  isNonPublicAddress,
  type DeploymentConfig,
} from './checkDeployment';

const signingKey = loadSigningKey(
  generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
  {},
);

const production: DeploymentConfig = {
  fhirBaseUrl: 'https://fhir.example.org/R4',
  publicBaseUrl: 'https://charttext.example.org',
  ehrOrigins: ['https://ehr.example.org'],
  fhirOrigins: ['https://fhir.example.org'],
  clientId: 'charttext-relay',
  signingKey,
  twilio: {},
};

describe('isNonPublicAddress', () => {
  test.each<[string, boolean]>([
    ['10.1.2.3', true],
    ['172.16.0.1', true],
    ['172.32.0.1', false],
    ['192.168.1.1', true],
    ['127.0.0.1', true],
    ['169.254.10.10', true],
    ['100.64.0.1', true],
    ['203.0.113.10', false],
    ['::1', true],
    ['fd00::1', true],
    ['fe80::1', true],
    ['::ffff:10.0.0.1', true],
    ['2001:db8::1', false],
    ['charttext.example.org', false],
  ])('%s → %s', (address, expected) => {
    expect(isNonPublicAddress(address)).toBe(expected);
  });
});

describe('checkPublicUrl', () => {
  test.each<[string, Partial<DeploymentConfig>, string[], 'pass' | 'warn' | 'fail', RegExp]>([
    ['public https', {}, ['203.0.113.10'], 'pass', /inbound https:\/\/charttext\.example\.org\/twilio\/inbound/],
    ['loopback with real Twilio', { publicBaseUrl: 'http://127.0.0.1:3000' }, [], 'fail', /public https URL/],
    ['a private IP literal', { publicBaseUrl: 'https://10.0.0.5' }, ['10.0.0.5'], 'fail', /private address/],
    ['a name that resolves only to private addresses', {}, ['10.0.0.5', 'fd00::5'], 'fail', /private address/],
    ['a name that does not resolve', {}, [], 'warn', /resolves publicly/],
    [
      'loopback with the sandbox phone simulator',
      { publicBaseUrl: 'http://127.0.0.1:3000', twilio: { apiBaseUrl: 'http://127.0.0.1:3001/twilio' } },
      [],
      'pass',
      /sandbox phone simulator/,
    ],
  ])('when the public URL is %s, then %s', (_name, change, addresses, status, text) => {
    const row = checkPublicUrl({ ...production, ...change }, addresses);
    expect(row.status).toBe(status);
    expect(`${row.detail} ${row.fix ?? ''}`).toMatch(text);
  });
});

describe('checkBrowserOrigins', () => {
  test('when the token endpoint is on another origin than FHIR_ORIGINS lists, then the fix names that origin', () => {
    const [connect] = checkBrowserOrigins(production, 'https://authorization.example.net/tenants/x/token');
    expect(connect).toMatchObject({
      status: 'fail',
      fix: 'Add https://authorization.example.net to FHIR_ORIGINS: the app exchanges its code for a token there.',
    });
  });

  test('when the token endpoint is on a listed origin, then connect-src passes', () => {
    expect(checkBrowserOrigins(production, 'https://fhir.example.org/oauth2/token')[0]?.status).toBe('pass');
  });

  test('when no EHR origin is configured, then frame-ancestors warns (fine for EHRs that open a window)', () => {
    const [, frames] = checkBrowserOrigins({ ...production, ehrOrigins: [] }, undefined);
    expect(frames).toMatchObject({ status: 'warn', check: 'CSP frame-ancestors' });
    expect(frames?.fix).toMatch(/EHR_ORIGINS/);
  });
});

describe('checkRelaySettings', () => {
  test('when the relay points at another FHIR base than the one checked, then it warns', () => {
    expect(checkRelaySettings(production, 'https://other.example.org/R4')[0]).toMatchObject({
      status: 'warn',
      check: 'FHIR_BASE_URL',
    });
  });

  test('when TWILIO_API_BASE_URL points away from Twilio in production, then it warns', () => {
    const rows = checkRelaySettings(
      { ...production, twilio: { apiBaseUrl: 'https://twilio-proxy.example.org' } },
      production.fhirBaseUrl,
    );
    expect(rows.find((row) => row.check === 'TWILIO_API_BASE_URL')?.status).toBe('warn');
  });

  test('when all is in order, then the row to register names the JWKS URL and key id', () => {
    const rows = checkRelaySettings(production, `${production.fhirBaseUrl}/`);
    expect(rows.map((row) => row.status)).toEqual(['pass']);
    expect(rows[0]?.detail).toContain(
      `https://charttext.example.org/.well-known/jwks.json (kid ${signingKey.kid}, ES384)`,
    );
  });
});
