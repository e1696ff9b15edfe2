/** What the sandbox authorization server granted to the bearer of an access token. */
export interface Grant {
  /** OAuth client the token was issued to. */
  clientId: string;
  /** Granted scopes, as the token carries them (v1 or v2 syntax). */
  scopes: string[];
  /** Launch patient id (for `patient/` scopes), when the launch had one. */
  patient?: string;
  /** FHIR reference of the signed-in user (`Practitioner/…`), absent for backend services. */
  fhirUser?: string;
  /** Token expiry, seconds since the epoch. */
  expiresAt: number;
}

/** Resolves a bearer token to its grant, or undefined when the token is unknown, expired or revoked. */
export type VerifyAccessToken = (token: string) => Promise<Grant | undefined>;
