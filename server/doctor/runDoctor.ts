/**
 * `npm run doctor`: fetches what the checks need — the EHR's SMART discovery document and CapabilityStatement, a
 * backend-services token with the relay's key, a search with it, Twilio's answers through the twilio SDK, the public
 * hostname's addresses — and runs the pure checks over them. Network failures become failing rows that say what to
 * check; nothing here throws for a problem it can report.
 */
import { lookup } from 'node:dns/promises';
import twilio from 'twilio';
import { TOKENS } from '../../fhir-profiles/vocabulary';
import { createBackendServicesToken } from '../adapters/backendServicesToken';
import { createRewritingRequestClient } from '../adapters/twilioApiBase';
import { ConfigError, RELAY_SCOPES, type RelayConfig } from '../config';
import { checkCapabilityStatement } from './checkCapabilityStatement';
import { checkBrowserOrigins, checkPublicUrl, checkRelaySettings, isSandboxTwilio } from './checkDeployment';
import { fail, pass, warn, type CheckResult } from './checkResult';
import { checkSmartConfiguration } from './checkSmartConfiguration';
import { checkTwilioCredentials, checkTwilioNumber, type TwilioCallResult } from './checkTwilio';
import { coverageOf } from './scopeCoverage';

export interface DoctorOptions {
  /** The FHIR base to check (`--fhir`). */
  fhirBaseUrl: string;
  /** The relay's configuration, or why it could not be read. */
  config: RelayConfig | ConfigError;
  fetch?: typeof fetch;
  /** Resolves a hostname to its addresses (default: DNS). */
  resolve?: (hostname: string) => Promise<string[]>;
  timeoutMs?: number;
}

async function getJson(
  url: string,
  fetchImpl: typeof fetch,
  timeoutMs: number,
): Promise<{ ok: true; body: unknown } | { ok: false; problem: string }> {
  try {
    const response = await fetchImpl(url, {
      headers: { accept: 'application/fhir+json, application/json' },
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) return { ok: false, problem: `${url} answered ${response.status}` };
    return { ok: true, body: await response.json() };
  } catch (err) {
    return { ok: false, problem: `${url} could not be read (${(err as Error).message})` };
  }
}

async function twilioCall(call: () => Promise<unknown>): Promise<TwilioCallResult> {
  try {
    await call();
    return { ok: true };
  } catch (err) {
    const rest = err as { status?: unknown; code?: unknown; message?: unknown };
    return {
      ok: false,
      status: typeof rest.status === 'number' ? rest.status : 0,
      ...(typeof rest.code === 'number' ? { code: rest.code } : {}),
      message: typeof rest.message === 'string' ? rest.message : String(err),
    };
  }
}

function twilioClient(config: RelayConfig, username: string, password: string): twilio.Twilio {
  return twilio(username, password, {
    accountSid: config.twilio.accountSid,
    timeout: 15_000,
    ...(config.twilio.apiBaseUrl ? { httpClient: createRewritingRequestClient(config.twilio.apiBaseUrl) } : {}),
  });
}

async function checkTwilio(config: RelayConfig): Promise<CheckResult[]> {
  const rows: CheckResult[] = [];
  const { accountSid, authToken, apiKeySid, apiKeySecret } = config.twilio;
  const byToken = twilioClient(config, accountSid, authToken);
  if (apiKeySid && apiKeySecret) {
    const byKey = twilioClient(config, apiKeySid, apiKeySecret);
    rows.push(
      checkTwilioCredentials(
        'Twilio API key',
        'TWILIO_API_KEY_SID and TWILIO_API_KEY_SECRET',
        await twilioCall(() => byKey.messages.list({ limit: 1 })),
      ),
    );
  }
  rows.push(
    checkTwilioCredentials(
      'Twilio account',
      'TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN (which also signs webhooks)',
      await twilioCall(() => byToken.messages.list({ limit: 1 })),
    ),
  );
  // The phone simulator has no IncomingPhoneNumbers; the sandbox wires its webhooks itself.
  if (!isSandboxTwilio(config) && rows.every((row) => row.status === 'pass')) {
    try {
      const [number] = await byToken.incomingPhoneNumbers.list({ phoneNumber: config.twilio.fromNumber, limit: 1 });
      rows.push(
        checkTwilioNumber(number, {
          fromNumber: config.twilio.fromNumber,
          publicBaseUrl: config.publicBaseUrl,
          ...(config.twilio.messagingServiceSid ? { messagingServiceSid: config.twilio.messagingServiceSid } : {}),
        }),
      );
    } catch (err) {
      rows.push(
        warn(
          'Twilio number',
          `could not read the number's settings (${(err as Error).message})`,
          'Check it in the console.',
        ),
      );
    }
  }
  return rows;
}

async function checkRelayToken(
  config: RelayConfig,
  fhirBaseUrl: string,
  fetchImpl: typeof fetch,
  timeoutMs: number,
): Promise<CheckResult[]> {
  let granted: string | undefined;
  // Watch the token response go by, to compare the scopes granted with those asked for.
  const watching: typeof fetch = async (input, init) => {
    const response = await fetchImpl(input, init);
    if (init?.method === 'POST') {
      const body = (await response
        .clone()
        .json()
        .catch(() => ({}))) as { scope?: unknown };
      if (typeof body.scope === 'string') granted = body.scope;
    }
    return response;
  };
  const source = createBackendServicesToken({
    fhirBaseUrl,
    clientId: config.clientId,
    key: config.signingKey,
    scope: config.scopes,
    fetch: watching,
    timeoutMs,
  });
  let token: string;
  try {
    token = await source.getToken();
  } catch (err) {
    return [
      fail(
        'Relay token',
        (err as Error).message,
        `Register the relay as a backend-services client with id ${config.clientId} and JWKS URL ` +
          `${config.publicBaseUrl}/.well-known/jwks.json (the EHR must be able to fetch it: run npm run serve first), ` +
          'or upload its public key; RELAY_PRIVATE_KEY(_FILE) must be the key that JWKS publishes.',
      ),
    ];
  }
  const rows: CheckResult[] = [pass('Relay token', `backend-services token for ${config.clientId}`)];
  const asked = config.scopes.split(/\s+/).filter(Boolean);
  if (granted === undefined) {
    rows.push(warn('Relay scopes granted', 'the token response names no scope', 'Check with your vendor.'));
  } else {
    const { missing } = coverageOf(asked, granted.split(/\s+/));
    rows.push(
      missing.length === 0
        ? pass('Relay scopes granted', granted)
        : fail(
            'Relay scopes granted',
            `asked for but not granted: ${missing.join(' ')}`,
            `Ask the EHR to allow these scopes for ${config.clientId} (docs/registration.md says why each is needed).`,
          ),
    );
  }
  const search = `${fhirBaseUrl}/Communication?status=preparation&medium=${encodeURIComponent(TOKENS.smsMedium)}&_count=1`;
  try {
    const response = await fetchImpl(search, {
      headers: { accept: 'application/fhir+json', authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(timeoutMs),
    });
    rows.push(
      response.ok
        ? pass('Relay search', 'the relay can search for pending messages')
        : fail(
            'Relay search',
            `searching pending messages answered ${response.status}`,
            'The relay’s token must allow searching Communication (system/Communication.crus) by status and medium.',
          ),
    );
  } catch (err) {
    rows.push(fail('Relay search', (err as Error).message, 'Check that this host can reach the FHIR server.'));
  }
  return rows;
}

/** Runs every check; the rows in report order. */
export async function runDoctor(options: DoctorOptions): Promise<CheckResult[]> {
  const fetchImpl = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const fhirBaseUrl = options.fhirBaseUrl.replace(/\/+$/, '');
  const config = options.config instanceof ConfigError ? undefined : options.config;
  const rows: CheckResult[] = [];

  if (options.config instanceof ConfigError) {
    rows.push(
      fail(
        'Relay configuration',
        options.config.problems.join('; '),
        'Fix these variables (docs/configuration.md); the relay, Twilio and deployment checks run once they are set.',
      ),
    );
  }

  const discoveryUrl = `${fhirBaseUrl}/.well-known/smart-configuration`;
  const discovery = await getJson(discoveryUrl, fetchImpl, timeoutMs);
  if (discovery.ok) {
    rows.push(pass('SMART discovery', discoveryUrl));
    rows.push(
      ...checkSmartConfiguration(discovery.body, {
        relayAlg: config?.signingKey.alg ?? 'ES384',
        relayScopes: config?.scopes ?? Object.keys(RELAY_SCOPES).join(' '),
      }),
    );
  } else {
    rows.push(
      fail(
        'SMART discovery',
        discovery.problem,
        'Check --fhir: it must be the FHIR R4 base the EHR launches apps with.',
      ),
    );
  }

  const metadata = await getJson(`${fhirBaseUrl}/metadata`, fetchImpl, timeoutMs);
  rows.push(
    ...(metadata.ok
      ? checkCapabilityStatement(metadata.body, { subscription: config?.subscription ?? 'off' })
      : [fail('CapabilityStatement', metadata.problem, 'Check --fhir and that /metadata is readable.')]),
  );

  if (!config) return rows;
  const tokenEndpoint =
    discovery.ok && typeof (discovery.body as { token_endpoint?: unknown }).token_endpoint === 'string'
      ? (discovery.body as { token_endpoint: string }).token_endpoint
      : undefined;
  rows.push(...checkRelaySettings(config, fhirBaseUrl));
  rows.push(...checkBrowserOrigins(config, tokenEndpoint));
  const host = new URL(config.publicBaseUrl).hostname;
  const resolve =
    options.resolve ?? (async (name: string) => (await lookup(name, { all: true })).map((entry) => entry.address));
  const addresses = isSandboxTwilio(config) ? [] : await resolve(host).catch(() => []);
  rows.push(checkPublicUrl(config, addresses));
  if (discovery.ok) rows.push(...(await checkRelayToken(config, fhirBaseUrl, fetchImpl, timeoutMs)));
  rows.push(...(await checkTwilio(config)));
  return rows;
}
