/**
 * The doctor's checks of ChartText's own deployment settings: the public URL Twilio's webhooks go to (public https,
 * except in the sandbox), the browser's allowed origins (FHIR_ORIGINS must cover the token endpoint, EHR_ORIGINS the
 * EHR pages that frame the app), and settings that only make sense in the sandbox. Pure.
 */
import { isIP } from 'node:net';
import type { RelayConfig } from '../config';
import { isLoopbackUrl } from '../parseOrigins';
import { fail, pass, warn, type CheckResult } from './checkResult';

export type DeploymentConfig = Pick<
  RelayConfig,
  'fhirBaseUrl' | 'publicBaseUrl' | 'ehrOrigins' | 'fhirOrigins' | 'clientId' | 'signingKey'
> & {
  twilio: Pick<RelayConfig['twilio'], 'apiBaseUrl'>;
};

/** True when `address` (an IP literal) is private, loopback, link-local or otherwise not reachable from the internet. */
export function isNonPublicAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '');
  if (isIP(bare) === 4) {
    const [a = 0, b = 0] = bare.split('.').map(Number);
    return (
      a === 10 ||
      a === 127 ||
      a === 0 ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 100 && b >= 64 && b <= 127)
    );
  }
  if (isIP(bare) === 6) {
    const lower = bare.toLowerCase();
    return (
      lower === '::1' ||
      lower === '::' ||
      lower.startsWith('fc') ||
      lower.startsWith('fd') ||
      lower.startsWith('fe80') ||
      (lower.startsWith('::ffff:') && isNonPublicAddress(lower.slice(7)))
    );
  }
  return false;
}

/** True when the relay talks to the sandbox phone simulator on loopback rather than to Twilio. */
export function isSandboxTwilio(config: Pick<DeploymentConfig, 'twilio'>): boolean {
  return config.twilio.apiBaseUrl !== undefined && isLoopbackUrl(new URL(config.twilio.apiBaseUrl));
}

/** The public URL check: Twilio must reach it over https (pure; `addresses` are what its host resolves to). */
export function checkPublicUrl(config: DeploymentConfig, addresses: readonly string[]): CheckResult {
  const check = 'Twilio webhook URLs';
  const url = new URL(config.publicBaseUrl);
  const urls = `inbound ${config.publicBaseUrl}/twilio/inbound, status ${config.publicBaseUrl}/twilio/status`;
  if (isSandboxTwilio(config)) return pass(check, `${urls} (sandbox phone simulator)`);
  if (url.protocol !== 'https:' || isLoopbackUrl(url)) {
    return fail(
      check,
      `${config.publicBaseUrl} is not a public https URL`,
      'Twilio posts inbound messages and status callbacks from the internet: set PUBLIC_BASE_URL to the public https ' +
        'URL of this deployment (behind your load balancer or gateway).',
    );
  }
  const hidden = addresses.filter(isNonPublicAddress);
  if (isNonPublicAddress(url.hostname) || (addresses.length > 0 && hidden.length === addresses.length)) {
    return fail(
      check,
      `${url.hostname} resolves to a private address (${[...hidden, url.hostname].filter(isIP)[0] ?? hidden[0] ?? ''})`,
      'Twilio cannot reach a private address: publish ChartText’s /twilio/ paths at a public https hostname and set ' +
        'PUBLIC_BASE_URL to it.',
    );
  }
  if (addresses.length === 0) {
    return warn(
      check,
      `${url.hostname} does not resolve from here`,
      'Make sure the hostname resolves publicly, or Twilio cannot deliver webhooks.',
    );
  }
  return pass(check, urls);
}

/** The browser-side origin checks against the EHR's token endpoint (pure). */
export function checkBrowserOrigins(config: DeploymentConfig, tokenEndpoint: string | undefined): CheckResult[] {
  const rows: CheckResult[] = [];
  const needed = [new URL(config.fhirBaseUrl).origin, ...(tokenEndpoint ? [new URL(tokenEndpoint).origin] : [])];
  const missing = [...new Set(needed)].filter((origin) => !config.fhirOrigins.includes(origin));
  rows.push(
    missing.length === 0
      ? pass('CSP connect-src', config.fhirOrigins.join(' '))
      : fail(
          'CSP connect-src',
          `the app may not call ${missing.join(', ')} (FHIR_ORIGINS is ${config.fhirOrigins.join(', ')})`,
          `Add ${missing.join(',')} to FHIR_ORIGINS: the app exchanges its code for a token there.`,
        ),
  );
  rows.push(
    config.ehrOrigins.length > 0
      ? pass('CSP frame-ancestors', config.ehrOrigins.join(' '))
      : warn(
          'CSP frame-ancestors',
          'EHR_ORIGINS is empty: no page may show ChartText in an iframe',
          'If your EHR embeds apps in its own web pages, set EHR_ORIGINS to the origin of those pages; if it opens ' +
            'apps in a window of their own, leave it empty.',
        ),
  );
  return rows;
}

/** The relay settings that matter before go-live (pure). */
export function checkRelaySettings(config: DeploymentConfig, checkedFhirBaseUrl: string): CheckResult[] {
  const rows: CheckResult[] = [];
  if (config.fhirBaseUrl !== checkedFhirBaseUrl.replace(/\/+$/, '')) {
    rows.push(
      warn(
        'FHIR_BASE_URL',
        `the relay is configured for ${config.fhirBaseUrl}, the doctor checked ${checkedFhirBaseUrl}`,
        'Set FHIR_BASE_URL to the FHIR base the EHR launches ChartText with (its iss).',
      ),
    );
  }
  if (config.twilio.apiBaseUrl !== undefined) {
    rows.push(
      isSandboxTwilio(config)
        ? pass('TWILIO_API_BASE_URL', `${config.twilio.apiBaseUrl} (sandbox phone simulator)`)
        : warn(
            'TWILIO_API_BASE_URL',
            `messages go to ${config.twilio.apiBaseUrl}, not to Twilio`,
            'Leave TWILIO_API_BASE_URL unset in production.',
          ),
    );
  }
  rows.push(
    pass(
      'Relay client registration',
      `client id ${config.clientId}, JWKS URL ${config.publicBaseUrl}/.well-known/jwks.json (kid ${config.signingKey.kid}, ${config.signingKey.alg})`,
    ),
  );
  return rows;
}
