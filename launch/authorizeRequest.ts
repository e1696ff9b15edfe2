/**
 * Step 1 of the flow: turn the launch URL the EHR opened (`iss`, `launch`) into the SMART authorize request.
 * https://hl7.org/fhir/smart-app-launch/app-launch.html#step-1-app-requests-authorization-launch
 */
import type { AppConfig } from '../client/config';
import { buildScope, type LaunchContext } from './scopes';

export interface AuthorizeRequest {
  iss: string;
  launch?: string;
  clientId: string;
  scope: string;
  redirectUri: string;
  context: LaunchContext;
}

export type AuthorizeDecision = { ok: true; request: AuthorizeRequest } | { ok: false; message: string };

function isLoopback(url: URL): boolean {
  return url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
}

/** Whether ChartText may connect to this FHIR base: the configured list, else any https or loopback base. */
export function issuerAllowed(iss: string, allowed: readonly string[]): boolean {
  let url: URL;
  try {
    url = new URL(iss);
  } catch {
    return false;
  }
  if (allowed.length > 0) return allowed.includes(iss.replace(/\/+$/, ''));
  return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url));
}

/**
 * Reads `iss`, `launch` and the optional `context=inbox|chart` from the launch URL. An EHR launch opens the chart
 * unless the registered launch URL says `context=inbox`; a standalone launch (no `launch`) opens the inbox unless it
 * says `context=chart`. See docs/decisions/041-scopes-and-launch-context.md.
 */
export function decideAuthorize(launchUrl: URL, config: AppConfig): AuthorizeDecision {
  const iss = launchUrl.searchParams.get('iss')?.trim();
  const launch = launchUrl.searchParams.get('launch')?.trim() || undefined;
  if (!iss) {
    return {
      ok: false,
      message: 'Open ChartText from your EHR. This page needs the EHR’s FHIR address (the “iss” parameter) to start.',
    };
  }
  if (!issuerAllowed(iss, config.allowedIssuers)) {
    return {
      ok: false,
      message: `ChartText is not set up to connect to ${iss}. Ask your IT team to add it to VITE_ALLOWED_ISS.`,
    };
  }
  const asked = launchUrl.searchParams.get('context');
  const context: LaunchContext = asked === 'inbox' || asked === 'chart' ? asked : launch ? 'chart' : 'inbox';
  return {
    ok: true,
    request: {
      iss,
      ...(launch ? { launch } : {}),
      clientId: config.clientId,
      scope: buildScope(context, config.scopeForm, launch !== undefined),
      redirectUri: new URL(config.redirectPath, launchUrl.origin).href,
      context,
    },
  };
}
