/**
 * oidc-provider configured as a SMART App Launch 2.x authorization server: EHR and standalone launch with PKCE,
 * v1/v2 resource scopes granted for the FHIR server as the only resource (`aud`), ID tokens with `fhirUser`,
 * refresh tokens for offline/online access, and Backend Services (client_credentials + private_key_jwt).
 * https://hl7.org/fhir/smart-app-launch/ · https://github.com/panva/node-oidc-provider/blob/main/docs/README.md
 */
import { randomBytes } from 'node:crypto';
import { errors, interactionPolicy, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import { STAFF } from '../seed/roster';
import { smartClientAssertionHook } from './clientAssertion';
import type { SandboxClient } from './clients';
import { errorPage, pagePolicy, staffName } from './interactionPages';
import type { LaunchStore } from './launchContext';
import type { AuthSecrets } from './signingKeys';
import { AUTH_ROUTES, CLIENT_ASSERTION_ALGORITHMS } from './smartConfiguration';
import { decideScopes, LAUNCH_SCOPES } from './smartScopes';

/** Token and session lifetimes, in seconds. */
export const LIFETIMES = {
  AccessToken: 60 * 60,
  AuthorizationCode: 60,
  // SMART Backend Services: "the access token SHOULD have a lifetime no greater than five minutes".
  ClientCredentials: 5 * 60,
  IdToken: 60 * 60,
  RefreshToken: 14 * 24 * 60 * 60,
  Interaction: 60 * 60,
  Session: 24 * 60 * 60,
  Grant: 14 * 24 * 60 * 60,
} as const;

const CLOCK_TOLERANCE_SECONDS = 15;

/** Everything the configuration is built from. */
export interface ProviderSettings {
  issuer: string;
  fhirBaseUrl: string;
  clients: readonly SandboxClient[];
  secrets: AuthSecrets;
  launches: LaunchStore;
  adapter: NonNullable<Configuration['adapter']>;
}

/** oidc-provider client metadata for a sandbox client. */
function clientMetadata(client: SandboxClient): NonNullable<Configuration['clients']>[number] {
  const statics = client.scope
    .split(' ')
    .filter((scope) => (LAUNCH_SCOPES as readonly string[]).includes(scope))
    .join(' ');
  if (client.kind === 'public') {
    return {
      client_id: client.clientId,
      client_name: client.name,
      token_endpoint_auth_method: 'none',
      redirect_uris: [...client.redirectUris],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      ...(statics ? { scope: statics } : {}),
    };
  }
  return {
    client_id: client.clientId,
    client_name: client.name,
    token_endpoint_auth_method: 'private_key_jwt',
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    ...('jwksUri' in client.keys ? { jwks_uri: client.keys.jwksUri } : { jwks: client.keys.jwks }),
  };
}

/** Builds the provider configuration. */
export function providerConfiguration(settings: ProviderSettings): Configuration {
  const { fhirBaseUrl, launches } = settings;
  const issuerPath = new URL(settings.issuer).pathname.replace(/\/$/, '');
  const clients = new Map(settings.clients.map((client) => [client.clientId, client]));
  const jwksUris = new Set(
    settings.clients.flatMap((client) =>
      client.kind === 'backend-services' && 'jwksUri' in client.keys ? [new URL(client.keys.jwksUri).href] : [],
    ),
  );

  // Every authorization passes through our sign-in step, which resolves the launch context and decides the grant;
  // oidc-provider's own "what is not yet consented" checks would only second-guess it.
  const policy = interactionPolicy.base();
  policy
    .get('login')
    ?.checks.add(
      new interactionPolicy.Check(
        'smart_launch_context',
        'every SMART authorization resolves its launch context',
        (ctx) => !ctx.oidc.result,
      ),
      0,
    );
  for (const reason of ['op_scopes_missing', 'op_claims_missing', 'rs_scopes_missing']) {
    policy.get('consent')?.checks.remove(reason);
  }

  const fhirUserUrl = (user: string): string => `${fhirBaseUrl}/Practitioner/${user}`;

  return {
    adapter: settings.adapter,
    clients: settings.clients.map(clientMetadata),
    jwks: settings.secrets.jwks,
    cookies: {
      keys: settings.secrets.cookieKeys,
      // Cookies ignore ports: these names keep clear of anything else on 127.0.0.1.
      names: {
        session: 'sandbox_auth_session',
        interaction: 'sandbox_auth_interaction',
        resume: 'sandbox_auth_resume',
      },
      long: { httpOnly: true, sameSite: 'lax' },
      short: { httpOnly: true, sameSite: 'lax' },
    },
    scopes: [...LAUNCH_SCOPES],
    claims: {
      openid: ['sub'],
      fhirUser: ['fhirUser'],
      profile: ['name', 'given_name', 'family_name'],
    },
    findAccount: (_ctx, sub) => {
      const member = STAFF.find((candidate) => candidate.id === sub);
      if (!member) return undefined;
      return {
        accountId: sub,
        claims: () => ({
          sub,
          // https://hl7.org/fhir/smart-app-launch/scopes-and-launch-context.html#scopes-for-requesting-identity-data
          fhirUser: fhirUserUrl(sub),
          name: staffName(member),
          given_name: member.given,
          family_name: member.family,
        }),
      };
    },
    extraParams: {
      // https://hl7.org/fhir/smart-app-launch/app-launch.html#request-4
      aud: (_ctx, value) => {
        if (!value) throw new errors.InvalidRequest(`aud is required: the FHIR base URL ${fhirBaseUrl}`);
        if (value.replace(/\/+$/, '') !== fhirBaseUrl) {
          throw new errors.InvalidRequest(`aud must be the FHIR base URL ${fhirBaseUrl}`);
        }
      },
      launch: (ctx, value) => {
        const launchScope = (ctx.oidc.params?.scope as string | undefined)?.split(' ').includes('launch') ?? false;
        if (!value) {
          if (launchScope) {
            throw new errors.InvalidScope(
              'the launch scope needs the launch parameter the EHR passed to the app',
              'launch',
            );
          }
          return;
        }
        if (!launches.readLaunch(value)) {
          throw new errors.InvalidRequest('launch is unknown or expired: open the app again from the EHR');
        }
        if (!launchScope) throw new errors.InvalidScope('an EHR launch must request the launch scope', 'launch');
      },
    },
    interactions: {
      policy,
      url: (_ctx, interaction) => `${issuerPath}/interaction/${interaction.uid}`,
    },
    // A grant is made per authorization (each launch has its own context), never reused from the session.
    loadExistingGrant: async (ctx) => {
      const grantId = ctx.oidc.result?.consent?.grantId;
      return grantId ? ctx.oidc.provider.Grant.find(grantId) : undefined;
    },
    pkce: { required: (_ctx, client) => client.clientAuthMethod === 'none' },
    routes: { ...AUTH_ROUTES },
    clientAuthMethods: ['none', 'private_key_jwt'],
    enabledJWA: {
      clientAuthSigningAlgValues: [...CLIENT_ASSERTION_ALGORITHMS],
      idTokenSigningAlgValues: ['RS256'],
    },
    assertJwtClientAuthClaimsAndHeader: smartClientAssertionHook(
      `${settings.issuer}${AUTH_ROUTES.token}`,
      CLOCK_TOLERANCE_SECONDS,
    ),
    clockTolerance: CLOCK_TOLERANCE_SECONDS,
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: {
        enabled: true,
        allowedPolicy: (_ctx, client, token) => token.clientId === client.clientId,
      },
      revocation: {
        enabled: true,
        allowedPolicy: (_ctx, client, token) => token.clientId === client.clientId,
      },
      // fhirUser travels in the ID token; SMART needs no userinfo endpoint.
      userinfo: { enabled: false },
      rpInitiatedLogout: { enabled: false },
      dPoP: { enabled: false },
      resourceIndicators: {
        enabled: true,
        // SMART names the resource with `aud` (checked above); the FHIR server is the only resource.
        defaultResource: () => fhirBaseUrl,
        useGrantedResource: () => true,
        getResourceServerInfo: (ctx, resource, client) => {
          if (resource !== fhirBaseUrl) {
            throw new errors.InvalidTarget(`the only resource here is the FHIR server ${fhirBaseUrl}`);
          }
          return {
            scope: resourceScope(ctx, clients.get(client.clientId)?.scope ?? '', fhirBaseUrl),
            audience: fhirBaseUrl,
            accessTokenFormat: 'opaque',
            accessTokenTTL:
              ctx.oidc.params?.grant_type === 'client_credentials'
                ? LIFETIMES.ClientCredentials
                : LIFETIMES.AccessToken,
          };
        },
      },
    },
    // The FHIR server reads these through verifyAccessToken; introspection shows them too.
    extraTokenClaims: (_ctx, token) => {
      const grantId = token.kind === 'AccessToken' ? token.grantId : undefined;
      const context = grantId ? launches.grantContext(grantId) : undefined;
      if (!context) return undefined;
      return { ...(context.patient ? { patient: context.patient } : {}), fhirUser: fhirUserUrl(context.user) };
    },
    issueRefreshToken: (_ctx, client, code) =>
      client.grantTypeAllowed('refresh_token') &&
      (code.scopes.has('offline_access') || code.scopes.has('online_access')),
    // Tokens do not die with the browser session: the simulator switches users in one browser.
    expiresWithSession: () => false,
    ttl: { ...LIFETIMES },
    clientBasedCORS: (_ctx, origin, client) =>
      client.redirectUris?.some((uri) => URL.parse(uri)?.origin === origin) ?? false,
    renderError: (ctx, out) => {
      const nonce = randomBytes(16).toString('base64');
      ctx.type = 'html';
      ctx.set('Content-Security-Policy', pagePolicy(nonce));
      ctx.body = `<!doctype html>\n${
        errorPage(nonce, 'The app could not sign in', {
          error: out.error,
          error_description: out.error_description,
        }).value
      }`;
    },
    // Only the registered JWKS URLs are fetched, and without oidc-provider's block on special-use addresses: in the
    // sandbox the relay's JWKS is on loopback.
    fetch: (url, init) => {
      const href = new URL(url instanceof Request ? url.url : url).href;
      if (!jwksUris.has(href)) return Promise.reject(new Error(`${href} is not a registered jwks_uri`));
      const { dispatcher: _ssrfGuard, ...rest } = init as RequestInit & { dispatcher?: unknown };
      return globalThis.fetch(href, rest);
    },
  };
}

/** The scopes this client may get for the FHIR server in the current request. */
function resourceScope(ctx: KoaContextWithOIDC, registered: string, fhirBaseUrl: string): string {
  const params = ctx.oidc.params ?? {};
  const requested = typeof params.scope === 'string' ? params.scope : '';
  if (ctx.oidc.route === 'token' && params.grant_type === 'client_credentials') {
    const outside = requested.split(' ').filter((scope) => scope && !scope.startsWith('system/'));
    if (outside.length > 0) {
      throw new errors.InvalidScope('backend services tokens carry only system/ scopes', outside.join(' '));
    }
    const { granted } = decideScopes({ requested, registered, flow: 'backend-services', hasPatient: false });
    if (granted.length === 0) {
      throw new errors.InvalidScope('request system/ scopes this client is registered for', requested);
    }
    return granted.join(' ');
  }
  // Code and refresh-token exchanges: exactly what the sign-in step granted.
  const grant = ctx.oidc.entities.Grant;
  if (grant) return grant.getResourceScope(fhirBaseUrl);
  // The authorization request itself: what could be granted; the sign-in step narrows it.
  const flow = typeof params.launch === 'string' && params.launch ? 'ehr-launch' : 'standalone-launch';
  return decideScopes({ requested, registered, flow, hasPatient: true }).granted.join(' ');
}
