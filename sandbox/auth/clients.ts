/**
 * The SMART clients registered with the sandbox authorization server: what hospital IT would enter in a real EHR's
 * app registration (see docs/decisions/021-sandbox-smart-clients.md).
 */
import type { JSONWebKeySet } from 'jose';

/** ChartText's launch page and client (browser, public client with PKCE). */
export const CHARTTEXT_CLIENT_ID = 'charttext';
/** ChartText's relay (SMART Backend Services, private_key_jwt). */
export const RELAY_CLIENT_ID = 'charttext-relay';
/** The EHR simulator's placeholder app, which proves a launch before ChartText itself runs. */
export const PLACEHOLDER_CLIENT_ID = 'ehr-placeholder';

/** One registered client. Public clients use PKCE; backend-services clients sign assertions with their own keys. */
export type SandboxClient =
  | {
      kind: 'public';
      clientId: string;
      name: string;
      redirectUris: readonly string[];
      /** Space-separated scopes the client may be granted: launch scopes and resource rules such as `patient/*.cruds`. */
      scope: string;
    }
  | {
      kind: 'backend-services';
      clientId: string;
      name: string;
      /** The client's public keys: a JWKS URL (fetched, cached briefly) or an inline JWKS. */
      keys: { jwksUri: string } | { jwks: JSONWebKeySet };
      scope: string;
    };

/** Where the registered clients live; every value has the documented default. */
export interface SandboxClientOptions {
  /** ChartText's redirect URIs (default: the `/client/` page on 127.0.0.1:3000 and localhost:3000). */
  appRedirectUris?: readonly string[];
  /** The relay's keys (default: its JWKS URL http://127.0.0.1:3000/.well-known/jwks.json). */
  relayKeys?: { jwksUri: string } | { jwks: JSONWebKeySet };
  /** Origin of the sandbox, where the placeholder app is served (default http://127.0.0.1:3001). */
  sandboxOrigin?: string;
}

const USER_LAUNCH_SCOPES = 'openid fhirUser profile launch launch/patient offline_access online_access';

/** The sandbox's client registrations (ChartText, its relay, the simulator's placeholder app). */
export function sandboxClients(options: SandboxClientOptions = {}): SandboxClient[] {
  const sandboxOrigin = options.sandboxOrigin ?? 'http://127.0.0.1:3001';
  return [
    {
      kind: 'public',
      clientId: CHARTTEXT_CLIENT_ID,
      name: 'ChartText',
      redirectUris: options.appRedirectUris ?? ['http://127.0.0.1:3000/client/', 'http://localhost:3000/client/'],
      scope: `${USER_LAUNCH_SCOPES} patient/*.cruds user/*.cruds`,
    },
    {
      kind: 'backend-services',
      clientId: RELAY_CLIENT_ID,
      name: 'ChartText relay',
      keys: options.relayKeys ?? { jwksUri: 'http://127.0.0.1:3000/.well-known/jwks.json' },
      scope: 'system/*.cruds',
    },
    {
      kind: 'public',
      clientId: PLACEHOLDER_CLIENT_ID,
      name: 'EHR simulator placeholder app',
      redirectUris: [`${sandboxOrigin}/ehr/placeholder-app/`],
      scope: `${USER_LAUNCH_SCOPES} patient/*.rs user/*.rs`,
    },
  ];
}
