/**
 * Resolves a bearer token presented to the sandbox FHIR server to what was granted: the FHIR server enforces scopes
 * from this Grant. Tokens are opaque and looked up in the authorization server's store, so revocation takes effect
 * at once.
 */
import type Provider from 'oidc-provider';
import type { Grant, VerifyAccessToken } from './grant';

// oidc-provider's opaque tokens are 43 characters; anything much longer is not one of ours.
const MAX_TOKEN_LENGTH = 512;

interface StoredToken {
  clientId: string;
  scope?: string;
  aud?: string | string[];
  exp?: number;
  isExpired: boolean;
  extra?: Record<string, unknown>;
}

/** A VerifyAccessToken over the provider's access tokens (user launches) and client-credentials tokens (backend). */
export function accessTokenVerifier(provider: Provider, fhirBaseUrl: string): VerifyAccessToken {
  return async (token) => {
    if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) return undefined;
    const found = ((await provider.AccessToken.find(token)) ?? (await provider.ClientCredentials.find(token))) as
      StoredToken | undefined;
    if (!found || found.isExpired || found.exp === undefined) return undefined;
    const audiences = Array.isArray(found.aud) ? found.aud : [found.aud];
    // A token for another audience (or none) gives no access to this FHIR server.
    if (!audiences.includes(fhirBaseUrl)) return undefined;
    const grant: Grant = {
      clientId: found.clientId,
      scopes: (found.scope ?? '').split(' ').filter(Boolean),
      expiresAt: found.exp,
    };
    const patient = found.extra?.patient;
    const fhirUser = found.extra?.fhirUser;
    if (typeof patient === 'string') grant.patient = patient;
    // Tokens carry the absolute fhirUser of the ID token; the Grant holds the reference relative to the FHIR base.
    if (typeof fhirUser === 'string') grant.fhirUser = fhirUser.replace(`${fhirBaseUrl}/`, '');
    return grant;
  };
}
