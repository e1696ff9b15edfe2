/**
 * The SMART discovery document (`.well-known/smart-configuration`), served by the FHIR server at its base.
 * https://hl7.org/fhir/smart-app-launch/conformance.html
 */
import { LAUNCH_SCOPES } from './smartScopes';

/** The authorization server's endpoint paths, relative to the issuer. */
export const AUTH_ROUTES = {
  authorization: '/authorize',
  token: '/token',
  introspection: '/introspect',
  revocation: '/revoke',
  jwks: '/jwks',
} as const;

/** Algorithms accepted for `private_key_jwt` client assertions: the two SMART Backend Services requires. */
export const CLIENT_ASSERTION_ALGORITHMS = ['RS384', 'ES384'] as const;

/** What the sandbox supports, in SMART's capability vocabulary. */
export const SMART_CAPABILITIES = [
  'launch-ehr',
  'launch-standalone',
  'authorize-post',
  'client-public',
  'client-confidential-asymmetric',
  'context-ehr-patient',
  'context-standalone-patient',
  'context-banner',
  'context-style',
  'permission-v1',
  'permission-v2',
  'permission-offline',
  'permission-online',
  'permission-patient',
  'permission-user',
  'sso-openid-connect',
] as const;

/** The SMART discovery document for an issuer. */
export function buildSmartConfiguration(issuer: string): Record<string, unknown> {
  const url = (path: string): string => `${issuer}${path}`;
  const resourceScopes = ['patient', 'user', 'system'].flatMap((context) => [
    `${context}/*.cruds`,
    `${context}/*.rs`,
    `${context}/*.read`,
    `${context}/*.write`,
  ]);
  return {
    issuer,
    jwks_uri: url(AUTH_ROUTES.jwks),
    authorization_endpoint: url(AUTH_ROUTES.authorization),
    token_endpoint: url(AUTH_ROUTES.token),
    introspection_endpoint: url(AUTH_ROUTES.introspection),
    revocation_endpoint: url(AUTH_ROUTES.revocation),
    grant_types_supported: ['authorization_code', 'client_credentials', 'refresh_token'],
    response_types_supported: ['code'],
    token_endpoint_auth_methods_supported: ['none', 'private_key_jwt'],
    token_endpoint_auth_signing_alg_values_supported: [...CLIENT_ASSERTION_ALGORITHMS],
    scopes_supported: [...LAUNCH_SCOPES, ...resourceScopes],
    code_challenge_methods_supported: ['S256'],
    capabilities: [...SMART_CAPABILITIES],
  };
}
