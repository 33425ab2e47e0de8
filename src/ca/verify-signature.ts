import { verify, type KeyObject } from 'node:crypto';

/** The JWS algorithms Tessera verifies. Each is pinned to one key type (see verifier-key.ts). */
export type JwsAlg = 'ES256' | 'EdDSA';

/**
 * The raw signature check every verifier in Tessera goes through. ES256 signatures are the
 * fixed 64-byte r||s form of RFC 7518 §3.4 (DER or any other length is refused); EdDSA
 * signatures are 64 bytes. Never throws: any malformed input is simply "not valid".
 */
export function verifySignature(alg: JwsAlg, key: KeyObject, data: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length !== 64) return false;
  try {
    if (alg === 'ES256') return verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, signature);
    return verify(null, data, key, signature);
  } catch {
    return false;
  }
}
