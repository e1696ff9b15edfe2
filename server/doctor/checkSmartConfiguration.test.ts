import { describe, expect, test } from 'vitest';
import { SMART_REQUIREMENTS } from '../../fhir-profiles/requirements';
import type { CheckResult } from './checkResult';
import { checkSmartConfiguration } from './checkSmartConfiguration';

const RELAY_SCOPES = 'system/Communication.crus system/Patient.rus system/Consent.crs';

/** A discovery document that offers everything ChartText needs, in v2 spellings. */
const complete = (): Record<string, unknown> => ({
  authorization_endpoint: 'https://ehr.example.org/oauth2/authorize',
  token_endpoint: 'https://ehr.example.org/oauth2/token',
  grant_types_supported: ['authorization_code', 'client_credentials'],
  token_endpoint_auth_methods_supported: ['private_key_jwt', 'none'],
  token_endpoint_auth_signing_alg_values_supported: ['RS384', 'ES384'],
  code_challenge_methods_supported: ['S256'],
  capabilities: SMART_REQUIREMENTS.capabilities.map((c) => c.code),
  scopes_supported: [
    'launch',
    'launch/patient',
    'openid',
    'fhirUser',
    'online_access',
    'patient/*.cruds',
    'user/*.cruds',
    'system/*.cruds',
  ],
});

const run = (doc: unknown, relayAlg: 'RS384' | 'ES384' = 'ES384'): CheckResult[] =>
  checkSmartConfiguration(doc, { relayAlg, relayScopes: RELAY_SCOPES });
const notPassing = (rows: CheckResult[]): [string, string][] =>
  rows.filter((row) => row.status !== 'pass').map((row) => [row.status, row.check]);

describe('checkSmartConfiguration', () => {
  test('when the EHR offers everything, then every row passes', () => {
    expect(notPassing(run(complete()))).toEqual([]);
  });

  test.each<[string, (doc: Record<string, unknown>) => void, [string, string][], RegExp]>([
    ['no PKCE', (doc) => delete doc.code_challenge_methods_supported, [['fail', 'PKCE (S256)']], /PKCE with S256/],
    ['PKCE plain only', (doc) => (doc.code_challenge_methods_supported = ['plain']), [['fail', 'PKCE (S256)']], /S256/],
    [
      'no EHR launch',
      (doc) => (doc.capabilities = (doc.capabilities as string[]).filter((c) => c !== 'launch-ehr')),
      [['fail', 'SMART launch-ehr']],
      /launch-ehr/,
    ],
    [
      'no standalone launch (recommended only)',
      (doc) => (doc.capabilities = (doc.capabilities as string[]).filter((c) => c !== 'launch-standalone')),
      [['warn', 'SMART launch-standalone']],
      /launch-standalone/,
    ],
    [
      'RS384 only while the relay signs ES384',
      (doc) => (doc.token_endpoint_auth_signing_alg_values_supported = ['RS384']),
      [['fail', 'Relay backend services']],
      /takes RS384: give the relay a key of that kind/,
    ],
    [
      'no client_credentials grant',
      (doc) => (doc.grant_types_supported = ['authorization_code']),
      [['fail', 'Relay backend services']],
      /backend services/,
    ],
    [
      'backend-services fields not advertised',
      (doc) => {
        delete doc.token_endpoint_auth_methods_supported;
        delete doc.grant_types_supported;
      },
      [['warn', 'Relay backend services']],
      /token check below/,
    ],
    [
      'no fhirUser scope',
      (doc) => (doc.scopes_supported = (doc.scopes_supported as string[]).filter((s) => s !== 'fhirUser')),
      [['fail', 'Scopes: launch and user']],
      /openid fhirUser/,
    ],
    [
      'no online_access',
      (doc) => (doc.scopes_supported = (doc.scopes_supported as string[]).filter((s) => s !== 'online_access')),
      [['warn', 'Scope online_access']],
      /online_access/,
    ],
    [
      'v1 spellings only for the app',
      (doc) =>
        (doc.scopes_supported = [
          'launch',
          'launch/patient',
          'openid',
          'fhirUser',
          'online_access',
          'patient/*.read',
          'patient/*.write',
          'user/*.read',
          'user/*.write',
          'system/*.cruds',
        ]),
      [
        ['warn', 'Scopes: app in a chart'],
        ['warn', 'Scopes: app in the inbox'],
      ],
      /VITE_SMART_SCOPE_FORM=v1/,
    ],
    [
      'v1 spellings only for the relay',
      (doc) =>
        (doc.scopes_supported = [
          'launch',
          'launch/patient',
          'openid',
          'fhirUser',
          'online_access',
          'patient/*.cruds',
          'user/*.cruds',
          'system/*.read',
          'system/*.write',
        ]),
      [['warn', 'Scopes: relay']],
      /RELAY_SCOPES="system\/Communication.read system\/Communication.write/,
    ],
    [
      'no system scopes at all',
      (doc) => (doc.scopes_supported = (doc.scopes_supported as string[]).filter((s) => !s.startsWith('system/'))),
      [['fail', 'Scopes: relay']],
      /allow them for this client/,
    ],
    ['no scopes_supported', (doc) => delete doc.scopes_supported, [['warn', 'Scopes']], /Confirm with your vendor/],
    ['no token endpoint', (doc) => delete doc.token_endpoint, [['fail', 'OAuth endpoints']], /token endpoints/],
  ])('when %s, then exactly those rows do not pass, with a fix', (_name, cripple, expected, fix) => {
    const doc = complete();
    cripple(doc);
    const rows = run(doc);
    expect(notPassing(rows)).toEqual(expected);
    for (const row of rows.filter((r) => r.status !== 'pass')) expect(row.fix).toMatch(fix);
  });

  test.each([null, [], 'html', 42])('when the document is %j, then one failing row says what to check', (doc) => {
    expect(notPassing(run(doc))).toEqual([['fail', 'SMART discovery']]);
  });
});
