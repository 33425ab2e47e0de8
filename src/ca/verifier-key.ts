import { createPublicKey, type KeyObject, type JsonWebKey } from 'node:crypto';
import { TesseraError } from '../shared/errors.ts';
import { b64uDecode } from './base64url.ts';
import { jwkThumbprint } from './jwk-thumbprint.ts';
import { hasRocaFingerprint } from './rsa-roca.ts';
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

/** RSA keys below this size are refused (RFC 7518 §3.3 requires 2048 bits for RS256). */
export const RSA_MIN_BITS = 2048;
const RSA_MAX_BITS = 8192;

function rsaModulus(jwk: Record<string, unknown>, field: string): string {
  const v = jwk.n;
  const bytes = typeof v === 'string' ? b64uDecode(v) : undefined;
  // A modulus with a leading zero octet is not minimally encoded (RFC 7518 §6.3.1.1).
  if (!bytes || bytes[0] === 0) throw bad(`${field}.n`, 'must be the RSA modulus in unpadded base64url without leading zero octets');
  const bits = bytes.length * 8 - Math.clz32(bytes[0]!) + 24;
  if (bits < RSA_MIN_BITS || bits > RSA_MAX_BITS) throw bad(`${field}.n`, `must be a ${RSA_MIN_BITS} to ${RSA_MAX_BITS} bit RSA modulus`);
  if (hasRocaFingerprint(bytes)) throw bad(`${field}.n`, 'must not be a weak key with the ROCA fingerprint (CVE-2017-15361)');
  return v as string;
}

export interface VerifierKeyOptions {
  /** Also accept RSA keys (RS256). Off for principals' keys; on for Tessera's own JWT keys. */
  allowRsa?: boolean | undefined;
}

/**
 * Turns a JWK into a verifier key, accepting only what Tessera verifies: a public EC P-256 key
 * (ES256) or a public OKP Ed25519 key (EdDSA) — or, when asked, a public RSA key of at least
 * 2048 bits with exponent 65537 (RS256) — meant for signatures. The algorithm comes from the key
 * type, never from a token header, which closes alg-confusion attacks.
 */
export function verifierKeyFromJwk(input: unknown, field = 'publicJwk', opts: VerifierKeyOptions = {}): VerifierKey {
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
  } else if (jwk.kty === 'RSA' && opts.allowRsa) {
    if (jwk.e !== 'AQAB') throw bad(`${field}.e`, 'must be AQAB (65537)');
    alg = 'RS256';
    pub = { kty: 'RSA', n: rsaModulus(jwk, field), e: 'AQAB' };
  } else {
    throw bad(`${field}.kty`, opts.allowRsa ? 'must be EC (P-256), OKP (Ed25519) or RSA' : 'must be EC (P-256) or OKP (Ed25519)');
  }
  if (jwk.alg !== undefined && jwk.alg !== alg) throw bad(`${field}.alg`, `must be ${alg} for this key type when present`);

  let key: KeyObject;
  try {
    key = createPublicKey({ key: pub, format: 'jwk' });
  } catch {
    throw bad(field, alg === 'RS256' ? 'is not a valid RSA public key' : 'is not a valid public key (the point is not on the curve)');
  }
  return { alg, key, jwk: pub, thumbprint: jwkThumbprint(pub) };
}
