import { constants, createHmac, timingSafeEqual, verify, type KeyObject } from 'node:crypto';

/** The JWS algorithms Tessera itself signs and verifies. Each is pinned to one key type (see verifier-key.ts). */
export type JwsAlg = 'ES256' | 'EdDSA' | 'RS256';

/**
 * Every JWS algorithm the generic verifier accepts (external issuers' keys, see
 * external-verifier-key.ts). A superset of JwsAlg; the key still decides which one applies.
 */
export type SupportedJwsAlg =
  | JwsAlg
  | 'ES384' | 'ES512'
  | 'RS384' | 'RS512'
  | 'PS256' | 'PS384' | 'PS512'
  | 'HS256' | 'HS384' | 'HS512';

export const SUPPORTED_JWS_ALGS: readonly SupportedJwsAlg[] = [
  'ES256', 'ES384', 'ES512', 'EdDSA', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'HS256', 'HS384', 'HS512',
];

interface AlgSpec {
  /** The key type the algorithm may be used with: anything else is an algorithm-confusion attempt. */
  keyType: 'ec' | 'ed25519' | 'rsa' | 'secret';
  hash: 'sha256' | 'sha384' | 'sha512' | null;
  /** EC: the curve, and the fixed r||s signature length (RFC 7518 §3.4). */
  curve?: string;
  sigBytes?: number;
  pss?: boolean;
}

const SPEC: Record<SupportedJwsAlg, AlgSpec> = {
  ES256: { keyType: 'ec', hash: 'sha256', curve: 'prime256v1', sigBytes: 64 },
  ES384: { keyType: 'ec', hash: 'sha384', curve: 'secp384r1', sigBytes: 96 },
  ES512: { keyType: 'ec', hash: 'sha512', curve: 'secp521r1', sigBytes: 132 },
  EdDSA: { keyType: 'ed25519', hash: null, sigBytes: 64 },
  RS256: { keyType: 'rsa', hash: 'sha256' },
  RS384: { keyType: 'rsa', hash: 'sha384' },
  RS512: { keyType: 'rsa', hash: 'sha512' },
  PS256: { keyType: 'rsa', hash: 'sha256', pss: true },
  PS384: { keyType: 'rsa', hash: 'sha384', pss: true },
  PS512: { keyType: 'rsa', hash: 'sha512', pss: true },
  HS256: { keyType: 'secret', hash: 'sha256' },
  HS384: { keyType: 'secret', hash: 'sha384' },
  HS512: { keyType: 'secret', hash: 'sha512' },
};

const HASH_BYTES = { sha256: 32, sha384: 48, sha512: 64 } as const;

/** RSA moduli below this size are refused for every RSA algorithm (RFC 7518 §3.3, §3.5). */
const RSA_MIN_BITS = 2048;

export function isSupportedJwsAlg(v: unknown): v is SupportedJwsAlg {
  return typeof v === 'string' && Object.hasOwn(SPEC, v);
}

/** The key type an algorithm needs, as KeyObject.asymmetricKeyType names it ('secret' for HMAC). */
export function keyTypeOf(alg: SupportedJwsAlg): AlgSpec['keyType'] {
  return SPEC[alg].keyType;
}

/**
 * The raw signature check every verifier in Tessera goes through. ECDSA signatures are the fixed
 * r||s form of RFC 7518 §3.4 (DER or any other length is refused); EdDSA signatures are 64
 * bytes; RSA signatures (PKCS#1 v1.5, RFC 7518 §3.3, or PSS with a salt as long as the hash,
 * §3.5) are exactly as long as the modulus. The key must be of the type the algorithm names: an
 * RSA public key is never an HMAC secret, a P-256 key never verifies RS256, and HMAC needs a
 * secret key at least as long as the hash (§3.2). Never throws: malformed input is "not valid".
 */
export function verifySignature(alg: SupportedJwsAlg, key: KeyObject, data: Uint8Array, signature: Uint8Array): boolean {
  try {
    const spec = SPEC[alg];
    if (!spec) return false;
    if (spec.keyType === 'secret') {
      if (key.type !== 'secret' || spec.hash === null) return false;
      const n = HASH_BYTES[spec.hash];
      if ((key.symmetricKeySize ?? 0) < n || signature.length !== n) return false;
      return timingSafeEqual(createHmac(spec.hash, key).update(data).digest(), signature);
    }
    if (key.type !== 'public' || key.asymmetricKeyType !== spec.keyType) return false;
    if (spec.keyType === 'rsa') {
      const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
      if (bits < RSA_MIN_BITS || signature.length !== Math.ceil(bits / 8)) return false;
      if (!spec.pss) return verify(spec.hash, data, key, signature);
      const saltLength = HASH_BYTES[spec.hash!];
      return verify(spec.hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }, signature);
    }
    if (signature.length !== spec.sigBytes) return false;
    if (spec.keyType === 'ec') {
      if (key.asymmetricKeyDetails?.namedCurve !== spec.curve) return false;
      return verify(spec.hash, data, { key, dsaEncoding: 'ieee-p1363' }, signature);
    }
    return verify(null, data, key, signature);
  } catch {
    return false;
  }
}
