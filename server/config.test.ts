import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ConfigError, parseRelayConfig, RELAY_SCOPES, RELAY_VARIABLES } from './config';
import { STARTER_TEMPLATES_FILE } from './templates/templateFile';

const ecKey = generateKeyPairSync('ec', { namedCurve: 'P-384' })
  .privateKey.export({ format: 'pem', type: 'pkcs8' })
  .toString();

const valid: Record<string, string> = {
  FHIR_BASE_URL: 'https://ehr.example.org/fhir/R4/',
  RELAY_CLIENT_ID: 'charttext-relay',
  RELAY_PRIVATE_KEY: ecKey,
  TWILIO_ACCOUNT_SID: `AC${'a'.repeat(32)}`,
  TWILIO_AUTH_TOKEN: 'f'.repeat(32),
  TWILIO_FROM_NUMBER: '+12015550100',
  PUBLIC_BASE_URL: 'https://charttext.example.org',
  PRACTICE_ORGANIZATION: 'Organization/practice',
};

function problems(env: Record<string, string | undefined>): string[] {
  try {
    parseRelayConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('parseRelayConfig', () => {
  test('when every required variable is set, then defaults fill the rest', () => {
    const config = parseRelayConfig(valid);
    expect(config).toMatchObject({
      fhirBaseUrl: 'https://ehr.example.org/fhir/R4',
      clientId: 'charttext-relay',
      keywordReplies: 'twilio',
      region: 'US',
      sweepIntervalMs: 30_000,
      reconcileIntervalMs: 300_000,
      port: 3000,
      host: '127.0.0.1',
      subscription: 'off',
    });
    expect(config.signingKey.alg).toBe('ES384');
    expect(config.signingKey.publicJwk).toMatchObject({ kty: 'EC', crv: 'P-384', alg: 'ES384', use: 'sig' });
    expect(config.signingKey.publicJwk).not.toHaveProperty('d');
    expect(config.scopes.split(' ')).toEqual(Object.keys(RELAY_SCOPES));
  });

  test.each([
    ['FHIR_BASE_URL', /FHIR_BASE_URL: is required/],
    ['RELAY_CLIENT_ID', /RELAY_CLIENT_ID: is required/],
    ['TWILIO_ACCOUNT_SID', /TWILIO_ACCOUNT_SID: is required/],
    ['TWILIO_AUTH_TOKEN', /TWILIO_AUTH_TOKEN: is required/],
    ['TWILIO_FROM_NUMBER', /TWILIO_FROM_NUMBER: is required/],
    ['PUBLIC_BASE_URL', /PUBLIC_BASE_URL: is required/],
    ['PRACTICE_ORGANIZATION', /PRACTICE_ORGANIZATION: is required/],
    ['RELAY_PRIVATE_KEY', /RELAY_PRIVATE_KEY: set exactly one/],
  ])('when %s is missing, then start-up stops naming it', (name, message) => {
    const { [name]: _missing, ...rest } = valid;
    expect(problems(rest).join('\n')).toMatch(message);
  });

  test.each<[string, string, RegExp]>([
    ['FHIR_BASE_URL', 'ehr.example.org/fhir', /FHIR_BASE_URL: must be an absolute URL/],
    ['TWILIO_ACCOUNT_SID', 'AC123', /TWILIO_ACCOUNT_SID: must be AC followed by 32/],
    ['TWILIO_FROM_NUMBER', '(201) 555-0100', /TWILIO_FROM_NUMBER: must be an E.164 number/],
    ['PUBLIC_BASE_URL', 'http://charttext.example.org', /PUBLIC_BASE_URL: must be https/],
    ['PRACTICE_ORGANIZATION', 'practice', /PRACTICE_ORGANIZATION: must be a reference like Organization/],
    ['RELAY_PRIVATE_KEY', 'not a key', /RELAY_PRIVATE_KEY: is not a readable private key/],
    ['RELAY_SIGNING_ALG', 'RS256', /RELAY_SIGNING_ALG: must be RS384 or ES384/],
    ['SWEEP_INTERVAL_SECONDS', 'often', /SWEEP_INTERVAL_SECONDS: must be a number/],
    ['SWEEP_INTERVAL_SECONDS', '0', /SWEEP_INTERVAL_SECONDS: must be at least 1/],
    ['KEYWORD_REPLIES', 'both', /KEYWORD_REPLIES: must be relay or twilio/],
    ['PHONE_REGION', 'XX', /PHONE_REGION: must be an ISO 3166/],
    ['TWILIO_API_KEY_SID', `SK${'b'.repeat(32)}`, /TWILIO_API_KEY_SECRET: set both/],
  ])('when %s is %s, then start-up stops saying what it expects', (name, value, message) => {
    expect(problems({ ...valid, [name]: value }).join('\n')).toMatch(message);
  });

  test('when several variables are wrong, then one error names them all', () => {
    const { FHIR_BASE_URL: _a, TWILIO_AUTH_TOKEN: _b, ...rest } = valid;
    expect(problems({ ...rest, PORT: 'eighty' })).toHaveLength(3);
  });

  test('when the relay answers keywords itself, then the practice name is required', () => {
    expect(problems({ ...valid, KEYWORD_REPLIES: 'relay' }).join('\n')).toMatch(
      /PRACTICE_NAME: is required when KEYWORD_REPLIES=relay/,
    );
    expect(parseRelayConfig({ ...valid, KEYWORD_REPLIES: 'relay', PRACTICE_NAME: 'Riverside' }).practice.name).toBe(
      'Riverside',
    );
  });

  test('when TEMPLATES_FILE is unset, set to a good file, or to a broken one, then the starter set, that file, or a stop', () => {
    expect(parseRelayConfig(valid).templatesFile).toBe(STARTER_TEMPLATES_FILE);
    const dir = mkdtempSync(join(tmpdir(), 'charttext-templates-'));
    const good = join(dir, 'templates.json');
    writeFileSync(
      good,
      JSON.stringify({
        templates: [{ id: 'call-us', title: { en: 'Call us' }, text: { en: 'Please call {practiceName}.' } }],
      }),
    );
    expect(parseRelayConfig({ ...valid, TEMPLATES_FILE: good }).templatesFile).toBe(good);
    const broken = join(dir, 'broken.json');
    writeFileSync(
      broken,
      JSON.stringify({ templates: [{ id: 'Call Us', title: { es: 'Llámenos' }, text: { en: '' } }] }),
    );
    const stopped = problems({ ...valid, TEMPLATES_FILE: broken }).join('\n');
    expect(stopped).toMatch(/TEMPLATES_FILE: is not a usable template file: templates\.0\.id: ids are lowercase words/);
    expect(problems({ ...valid, TEMPLATES_FILE: join(dir, 'missing.json') }).join('\n')).toMatch(
      /TEMPLATES_FILE: is not a usable template file: cannot read/,
    );
  });

  test('when FHIR_BATCH_UPDATES is off, then the relay makes one PUT per update; batching is on by default', () => {
    expect(parseRelayConfig(valid).batchUpdates).toBe(true);
    expect(parseRelayConfig({ ...valid, FHIR_BATCH_UPDATES: 'off' }).batchUpdates).toBe(false);
  });

  test('when the send deadline is more than half the claim timeout, then start-up stops naming both', () => {
    expect(problems({ ...valid, CLAIM_TIMEOUT_SECONDS: '40', SEND_DEADLINE_SECONDS: '30' }).join('\n')).toMatch(
      /SEND_DEADLINE_SECONDS: must be at most half of CLAIM_TIMEOUT_SECONDS \(40\)/,
    );
    expect(problems({ ...valid, CLAIM_TIMEOUT_SECONDS: '50' }).join('\n')).toMatch(/SEND_DEADLINE_SECONDS/);
    const config = parseRelayConfig({ ...valid, CLAIM_TIMEOUT_SECONDS: '1', SEND_DEADLINE_SECONDS: '0.5' });
    expect(config).toMatchObject({ claimTimeoutMs: 1_000, sendDeadlineMs: 500, twilioTimeoutMs: 500 });
    expect(parseRelayConfig(valid)).toMatchObject({
      claimTimeoutMs: 120_000,
      sendDeadlineMs: 30_000,
      twilioTimeoutMs: 15_000,
    });
  });

  test('when the key is an RSA key in a file, then it is read from there and signs RS384', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' });
    const file = join(mkdtempSync(join(tmpdir(), 'relay-key-')), 'key.pem');
    writeFileSync(file, rsa);
    const { RELAY_PRIVATE_KEY: _inline, ...rest } = valid;
    const config = parseRelayConfig({ ...rest, RELAY_PRIVATE_KEY_FILE: file, RELAY_KEY_ID: 'relay-2026' });
    expect(config.signingKey).toMatchObject({ alg: 'RS384', kid: 'relay-2026' });
    expect(problems({ ...rest, RELAY_PRIVATE_KEY_FILE: '/nonexistent/key.pem' }).join('\n')).toMatch(
      /RELAY_PRIVATE_KEY_FILE: cannot read/,
    );
  });

  test('when the key is a private JWK, then its kid is kept', () => {
    const jwk = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ format: 'jwk' });
    const config = parseRelayConfig({ ...valid, RELAY_PRIVATE_KEY: JSON.stringify({ ...jwk, kid: 'k1' }) });
    expect(config.signingKey.kid).toBe('k1');
  });

  test.each([
    [
      'a P-256 key',
      generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
      /not on P-384/,
    ],
    [
      'a 1024-bit RSA key',
      generateKeyPairSync('rsa', { modulusLength: 1024 })
        .privateKey.export({ format: 'pem', type: 'pkcs8' })
        .toString(),
      /shorter than 2048/,
    ],
  ])('when the key is %s, then start-up says why it cannot sign', (_name, key, message) => {
    expect(problems({ ...valid, RELAY_PRIVATE_KEY: key }).join('\n')).toMatch(message);
  });

  test('http is accepted for a loopback public URL (the sandbox)', () => {
    expect(parseRelayConfig({ ...valid, PUBLIC_BASE_URL: 'http://127.0.0.1:3000' }).publicBaseUrl).toBe(
      'http://127.0.0.1:3000',
    );
  });

  test('FHIR_SUBSCRIPTION=auto adds the Subscription scope', () => {
    expect(parseRelayConfig({ ...valid, FHIR_SUBSCRIPTION: 'auto' }).scopes).toMatch(/system\/Subscription\.cr$/);
  });
});

describe('.env.example', () => {
  test('documents every variable the relay reads, and no other', async () => {
    const { readFileSync } = await import('node:fs');
    const text = readFileSync(new URL('../.env.example', import.meta.url), 'utf8');
    const documented = new Set([...text.matchAll(/^#?\s?([A-Z][A-Z0-9_]+)=/gm)].map((match) => match[1]));
    expect([...documented].sort()).toEqual([...RELAY_VARIABLES].sort());
  });
});
