/**
 * The authorization server's own secrets: the RSA key that signs ID tokens (SMART requires RS256 support:
 * https://hl7.org/fhir/smart-app-launch/scopes-and-launch-context.html#scopes-for-requesting-identity-data) and the
 * keys that sign its cookies. Created on first start and kept in the data folder, so ID tokens stay verifiable and
 * sessions valid across restarts.
 */
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JWK } from 'jose';

/** Private signing keys (JWK) and cookie-signing secrets. */
export interface AuthSecrets {
  jwks: { keys: JWK[] };
  cookieKeys: string[];
}

/** Reads the secrets from `dataDir`, creating them on first use. */
export function loadOrCreateSecrets(dataDir: string): AuthSecrets {
  const path = join(dataDir, 'secrets.json');
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as AuthSecrets;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const secrets: AuthSecrets = {
    jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg: 'RS256', use: 'sig' }] },
    cookieKeys: [randomBytes(32).toString('base64url')],
  };
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(path, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}
