/**
 * The relay's backend-services key: a private key (PEM PKCS#8/SEC1/PKCS#1, or a private JWK) that signs client
 * assertions, and its public half served at `/.well-known/jwks.json`. SMART requires RS384 or ES384
 * (https://hl7.org/fhir/smart-app-launch/client-confidential-asymmetric.html#signature-verification).
 */
import { createHash, createPrivateKey, createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { JWK } from 'jose';

export type SigningAlgorithm = 'RS384' | 'ES384';

export interface RelaySigningKey {
  privateKey: KeyObject;
  alg: SigningAlgorithm;
  kid: string;
  /** The public JWK with kid, alg and use, as published in the JWKS. */
  publicJwk: JWK;
}

/** RFC 7638 thumbprint (SHA-256, base64url) of an RSA or EC public JWK. */
function thumbprint(jwk: JWK): string {
  const members =
    jwk.kty === 'RSA' ? { e: jwk.e, kty: jwk.kty, n: jwk.n } : { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y };
  return createHash('sha256').update(JSON.stringify(members)).digest('base64url');
}

/** Reads the private key text (PEM or JSON JWK); throws a message that completes "<variable> …". */
export function loadSigningKey(text: string, options: { alg?: SigningAlgorithm; kid?: string } = {}): RelaySigningKey {
  const trimmed = text.trim();
  let privateKey: KeyObject;
  let givenKid: string | undefined;
  try {
    if (trimmed.startsWith('{')) {
      const jwk = JSON.parse(trimmed) as JsonWebKey & { kid?: string };
      givenKid = jwk.kid;
      privateKey = createPrivateKey({ key: jwk, format: 'jwk' });
    } else {
      privateKey = createPrivateKey(trimmed);
    }
  } catch {
    throw new Error('is not a readable private key: give a PEM private key or a private JWK (JSON, with its "d")');
  }
  const alg = algorithmFor(privateKey, options.alg);
  const exported = createPublicKey(privateKey).export({ format: 'jwk' }) as JWK;
  const kid = options.kid ?? givenKid ?? thumbprint(exported);
  return { privateKey, alg, kid, publicJwk: { ...exported, kid, alg, use: 'sig' } };
}

function algorithmFor(key: KeyObject, wanted: SigningAlgorithm | undefined): SigningAlgorithm {
  const details = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType === 'rsa') {
    if ((details?.modulusLength ?? 0) < 2048) throw new Error('is an RSA key shorter than 2048 bits; use 2048 or more');
    if (wanted && wanted !== 'RS384') throw new Error(`is an RSA key, which signs RS384, not ${wanted}`);
    return 'RS384';
  }
  if (key.asymmetricKeyType === 'ec') {
    if (details?.namedCurve !== 'secp384r1') throw new Error('is an EC key not on P-384; ES384 needs a P-384 key');
    if (wanted && wanted !== 'ES384') throw new Error(`is a P-384 key, which signs ES384, not ${wanted}`);
    return 'ES384';
  }
  throw new Error(
    `is a ${key.asymmetricKeyType ?? 'unknown'} key; SMART backend services need RSA (RS384) or EC P-384 (ES384)`,
  );
}
