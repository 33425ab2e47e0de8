import { verify, type KeyObject } from 'node:crypto';

/** The JWS algorithms Tessera verifies. Each is pinned to one key type (see verifier-key.ts). */
export type JwsAlg = 'ES256' | 'EdDSA' | 'RS256';

/** The key type each algorithm may be used with: anything else is an algorithm-confusion attempt. */
const KEY_TYPE: Record<JwsAlg, string> = { ES256: 'ec', EdDSA: 'ed25519', RS256: 'rsa' };

/**
 * The raw signature check every verifier in Tessera goes through. ES256 signatures are the
 * fixed 64-byte r||s form of RFC 7518 §3.4 (DER or any other length is refused); EdDSA
 * signatures are 64 bytes; RS256 (RSASSA-PKCS1-v1_5 with SHA-256, RFC 7518 §3.3) signatures are
 * exactly as long as the modulus. The key must be of the type the algorithm names (an RSA public
 * key is never an HMAC secret, a P-256 key never verifies RS256). Never throws: any malformed
 * input is simply "not valid".
 */
export function verifySignature(alg: JwsAlg, key: KeyObject, data: Uint8Array, signature: Uint8Array): boolean {
  try {
    if (key.type !== 'public' || key.asymmetricKeyType !== KEY_TYPE[alg]) return false;
    if (alg === 'RS256') {
      const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
      if (bits < 2048 || signature.length !== Math.ceil(bits / 8)) return false;
      return verify('sha256', data, key, signature);
    }
    if (signature.length !== 64) return false;
    if (alg === 'ES256') {
      if (key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') return false;
      return verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, signature);
    }
    return verify(null, data, key, signature);
  } catch {
    return false;
  }
}
