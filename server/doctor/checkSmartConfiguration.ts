/**
 * The doctor's checks of the EHR's SMART discovery document (`<fhir base>/.well-known/smart-configuration`,
 * https://hl7.org/fhir/smart-app-launch/conformance.html) against what ChartText needs (fhir-profiles/requirements.ts
 * and launch/scopes.ts): PKCE S256, the SMART capabilities, backend services for the relay, and the scopes.
 * Pure: the document in, report rows out.
 */
import { SMART_REQUIREMENTS } from '../../fhir-profiles/requirements';
import { scopesFor, toV1 } from '../../launch/scopes';
import { fail, pass, warn, type CheckResult } from './checkResult';
import { coverageOf } from './scopeCoverage';

const REGISTRATION = 'docs/registration.md';

export interface SmartCheckContext {
  /** The algorithm the relay signs its client assertion with. */
  relayAlg: 'RS384' | 'ES384';
  /** The scopes the relay asks for (space-separated). */
  relayScopes: string;
}

const strings = (value: unknown): string[] | undefined =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : undefined;

function checkPkce(discovery: Record<string, unknown>): CheckResult {
  const methods = strings(discovery.code_challenge_methods_supported);
  if (methods?.includes('S256')) return pass('PKCE (S256)', 'code_challenge_methods_supported includes S256');
  return fail(
    'PKCE (S256)',
    methods ? `code_challenge_methods_supported is [${methods.join(', ')}], without S256` : 'PKCE is not advertised',
    'ChartText is a public browser app and always sends PKCE S256 (SMART App Launch 2.x requires it). Ask your EHR ' +
      'vendor to enable PKCE with S256 for the ChartText client and to list it in code_challenge_methods_supported.',
  );
}

function checkCapabilities(discovery: Record<string, unknown>): CheckResult[] {
  const offered = strings(discovery.capabilities) ?? [];
  return SMART_REQUIREMENTS.capabilities.map((requirement) => {
    const check = `SMART ${requirement.code}`;
    if (offered.includes(requirement.code)) return pass(check, requirement.why);
    const detail = `not in capabilities (${requirement.expectation}: ${requirement.why})`;
    const fix = `Ask your EHR vendor whether "${requirement.code}" can be enabled for ChartText (see ${REGISTRATION}).`;
    return requirement.expectation === 'SHALL' ? fail(check, detail, fix) : warn(check, detail, fix);
  });
}

function checkEndpoints(discovery: Record<string, unknown>): CheckResult {
  const missing = ['authorization_endpoint', 'token_endpoint'].filter((field) => typeof discovery[field] !== 'string');
  if (missing.length === 0) return pass('OAuth endpoints', `token endpoint ${String(discovery.token_endpoint)}`);
  return fail(
    'OAuth endpoints',
    `${missing.join(' and ')} missing`,
    'The discovery document must name the authorization and token endpoints; check the FHIR base URL (--fhir).',
  );
}

function checkBackendServices(discovery: Record<string, unknown>, context: SmartCheckContext): CheckResult {
  const check = 'Relay backend services';
  const methods = strings(discovery.token_endpoint_auth_methods_supported);
  const algs = strings(discovery.token_endpoint_auth_signing_alg_values_supported);
  const grants = strings(discovery.grant_types_supported);
  const problems = [
    methods && !methods.includes('private_key_jwt')
      ? 'private_key_jwt not in token_endpoint_auth_methods_supported'
      : '',
    algs && !algs.includes(context.relayAlg)
      ? `${context.relayAlg} not in token_endpoint_auth_signing_alg_values_supported`
      : '',
    grants && !grants.includes('client_credentials') ? 'client_credentials not in grant_types_supported' : '',
  ].filter(Boolean);
  if (problems.length > 0) {
    const otherAlg = context.relayAlg === 'ES384' ? 'RS384' : 'ES384';
    return fail(
      check,
      problems.join('; '),
      'The relay authenticates with SMART Backend Services (client_credentials, private_key_jwt). ' +
        (algs && !algs.includes(context.relayAlg) && algs.includes(otherAlg)
          ? `The EHR takes ${otherAlg}: give the relay a key of that kind (RELAY_PRIVATE_KEY_FILE). `
          : '') +
        'Otherwise ask your EHR vendor to enable backend services for the relay client.',
    );
  }
  const unknown = [!methods && 'auth methods', !algs && 'signing algorithms', !grants && 'grant types'].filter(Boolean);
  if (unknown.length > 0) {
    return warn(
      check,
      `the discovery document does not list ${unknown.join(', ')}`,
      'The token check below shows whether the relay gets a token; if it does not, check with your vendor.',
    );
  }
  return pass(check, `client_credentials with private_key_jwt, ${context.relayAlg}`);
}

const LAUNCH_SCOPES = ['launch', 'openid', 'fhirUser'] as const;
const OPTIONAL_LAUNCH_SCOPES = {
  online_access: 'without it a session ends when its first access token expires',
  'launch/patient': 'without it a clinician cannot pick a patient when ChartText is opened outside a chart',
} as const;

function checkScopes(discovery: Record<string, unknown>, context: SmartCheckContext): CheckResult[] {
  const supported = strings(discovery.scopes_supported);
  if (!supported) {
    return [
      warn(
        'Scopes',
        'scopes_supported is not in the discovery document',
        `SMART recommends listing them. Confirm with your vendor that ChartText's scopes (${REGISTRATION}) can be granted; ` +
          'the relay token check below tests the relay’s.',
      ),
    ];
  }
  const rows: CheckResult[] = [];
  const launch = coverageOf(LAUNCH_SCOPES, supported);
  rows.push(
    launch.missing.length === 0
      ? pass('Scopes: launch and user', LAUNCH_SCOPES.join(' '))
      : fail(
          'Scopes: launch and user',
          `not in scopes_supported: ${launch.missing.join(' ')}`,
          'EHR launch needs `launch`, and the app needs `openid fhirUser` to know who writes. Ask your EHR vendor to ' +
            'allow them for the ChartText client (if it grants them without listing them, confirm with your vendor).',
        ),
  );
  for (const [scope, consequence] of Object.entries(OPTIONAL_LAUNCH_SCOPES)) {
    if (!supported.includes(scope)) {
      rows.push(
        warn(`Scope ${scope}`, `not in scopes_supported: ${consequence}`, `Ask your EHR vendor about ${scope}.`),
      );
    }
  }
  const groups: [string, string[], string][] = [
    ['Scopes: app in a chart', scopesFor('chart').filter((s) => s.includes('/')), 'VITE_SMART_SCOPE_FORM=v1'],
    ['Scopes: app in the inbox', scopesFor('inbox').filter((s) => s.includes('/')), 'VITE_SMART_SCOPE_FORM=v1'],
    ['Scopes: relay', context.relayScopes.split(/\s+/).filter(Boolean), 'RELAY_SCOPES'],
  ];
  for (const [check, needed, v1Setting] of groups) {
    const covered = coverageOf(needed, supported);
    if (covered.missing.length > 0) {
      rows.push(
        fail(
          check,
          `not in scopes_supported: ${covered.missing.join(' ')}`,
          `Each is explained in ${REGISTRATION}. Ask your EHR vendor to allow them for this client; if the EHR grants ` +
            'them without listing them, confirm with your vendor.',
        ),
      );
    } else if (covered.v1.length > 0) {
      const v1 = [...new Set(needed.flatMap((scope) => toV1(scope).split(' ')))].join(' ');
      rows.push(
        warn(
          check,
          `only SMART v1 spellings offered for: ${covered.v1.join(' ')}`,
          v1Setting === 'RELAY_SCOPES'
            ? `Set RELAY_SCOPES="${v1}".`
            : 'Build the pages with VITE_SMART_SCOPE_FORM=v1 (npm run build) so the app asks in v1 spellings.',
        ),
      );
    } else {
      rows.push(pass(check, `${needed.length} scopes offered`));
    }
  }
  return rows;
}

/** Every SMART check for the discovery document `document` (pure). */
export function checkSmartConfiguration(document: unknown, context: SmartCheckContext): CheckResult[] {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    return [
      fail(
        'SMART discovery',
        'the document is not a JSON object',
        'Check the FHIR base URL: <base>/.well-known/smart-configuration must answer with SMART’s JSON document.',
      ),
    ];
  }
  const discovery = document as Record<string, unknown>;
  return [
    checkEndpoints(discovery),
    checkPkce(discovery),
    ...checkCapabilities(discovery),
    checkBackendServices(discovery, context),
    ...checkScopes(discovery, context),
  ];
}
