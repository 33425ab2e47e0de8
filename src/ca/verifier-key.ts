import { createPublicKey, type KeyObject, type JsonWebKey } from 'node:crypto';
import { TesseraError } from '../shared/errors.ts';
import { b64uDecode } from './base64url.ts';
import { jwkThumbprint } from './jwk-thumbprint.ts';
import type { JwsAlg } from './verify-signature.ts';

/** A public key ready for verification, with the one algorithm it may be used with. */
export interface VerifierKey {
  alg: JwsAlg;
  key: KeyObject;
  /** The key reduced to its public members (what Tessera stores and publishes). */
  jwk: JsonWebKey;
  thumbprint: string;
}

// Members that only a private (or symmetric) JWK has (RFC 7518 §6.2.2, §6.3.2, §6.4; RFC 8037).
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

function bad(field: string, rule: string): TesseraError {
  return new TesseraError('ERR_INVALID_INPUT', `${field}: ${rule}`, { field, rule });
}

function coordinate(jwk: Record<string, unknown>, name: string, field: string): string {
  const v = jwk[name];
  const bytes = typeof v === 'string' ? b64uDecode(v) : undefined;
  if (!bytes || bytes.length !== 32) throw bad(`${field}.${name}`, 'must be 32 bytes in unpadded base64url');
  return v as string;
}

/**
 * Turns a JWK into a verifier key, accepting only what Tessera verifies: a public EC P-256 key
 * (ES256) or a public OKP Ed25519 key (EdDSA), meant for signatures. The algorithm comes from
 * the key type, never from a token header, which closes alg-confusion attacks.
 */
export function verifierKeyFromJwk(input: unknown, field = 'publicJwk'): VerifierKey {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) throw bad(field, 'must be a JWK object');
  const jwk = input as Record<string, unknown>;
  for (const m of PRIVATE_MEMBERS) {
    if (m in jwk) throw bad(`${field}.${m}`, 'must be a public key: private key material is never accepted');
  }
  if (jwk.use !== undefined && jwk.use !== 'sig') throw bad(`${field}.use`, 'must be "sig" when present');
  if (jwk.key_ops !== undefined && !(Array.isArray(jwk.key_ops) && jwk.key_ops.includes('verify'))) {
    throw bad(`${field}.key_ops`, 'must include "verify" when present');
  }

  let alg: JwsAlg;
  let pub: JsonWebKey;
  if (jwk.kty === 'EC') {
    if (jwk.crv !== 'P-256') throw bad(`${field}.crv`, 'must be P-256 for an EC key');
    alg = 'ES256';
    pub = { kty: 'EC', crv: 'P-256', x: coordinate(jwk, 'x', field), y: coordinate(jwk, 'y', field) };
  } else if (jwk.kty === 'OKP') {
    if (jwk.crv !== 'Ed25519') throw bad(`${field}.crv`, 'must be Ed25519 for an OKP key');
    alg = 'EdDSA';
    pub = { kty: 'OKP', crv: 'Ed25519', x: coordinate(jwk, 'x', field) };
  } else {
    throw bad(`${field}.kty`, 'must be EC (P-256) or OKP (Ed25519)');
  }
  if (jwk.alg !== undefined && jwk.alg !== alg) throw bad(`${field}.alg`, `must be ${alg} for this key type when present`);

  let key: KeyObject;
  try {
    key = createPublicKey({ key: pub, format: 'jwk' });
  } catch {
    throw bad(field, 'is not a valid public key (the point is not on the curve)');
  }
  return { alg, key, jwk: pub, thumbprint: jwkThumbprint(pub) };
}
