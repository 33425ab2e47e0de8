import { createPublicKey, createSecretKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { TesseraError } from '../shared/errors.ts';
import { b64uDecode } from './base64url.ts';
import { jwkThumbprint } from './jwk-thumbprint.ts';
import { hasRocaFingerprint } from './rsa-roca.ts';
import { isSupportedJwsAlg, keyTypeOf, type SupportedJwsAlg } from './verify-signature.ts';

/**
 * A key from someone else's JWKS (an external OIDC issuer, a test vector), ready for verification
 * with the one algorithm it may be used with. Unlike verifier-key.ts, which accepts only what
 * Tessera's own principals may register, this accepts every algorithm in SupportedJwsAlg.
 */
export interface ExternalVerifierKey {
  alg: SupportedJwsAlg;
  key: KeyObject;
  /** The JWK's kid, compared byte for byte and never interpreted. */
  kid: string | undefined;
  /** The public members only; undefined for a symmetric key (a secret is never echoed). */
  jwk: JsonWebKey | undefined;
  thumbprint: string | undefined;
}

export interface ExternalKeyOptions {
  /** Names the JWK in error details (default "jwk"). */
  field?: string | undefined;
  /** The algorithms the caller allows (a trust source's list); the key's algorithm must be one. */
  algorithms?: readonly SupportedJwsAlg[] | undefined;
  /**
   * Accept symmetric ("oct") keys for HS256/384/512. Off by default: an OIDC issuer's published
   * keys are public keys, and a shared secret never comes from a JWKS.
   */
  allowSymmetric?: boolean | undefined;
}

const RSA_MIN_BITS = 2048;
const RSA_MAX_BITS = 8192;
const ASYMMETRIC_PRIVATE = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
const CURVES: Record<string, { alg: SupportedJwsAlg; bytes: number }> = {
  'P-256': { alg: 'ES256', bytes: 32 },
  'P-384': { alg: 'ES384', bytes: 48 },
  'P-521': { alg: 'ES512', bytes: 66 },
};
const HMAC_MIN_BYTES: Record<string, number> = { HS256: 32, HS384: 48, HS512: 64 };
// "ES521" is a misspelling of ES512 found in published keys (Wycheproof's RFC 7520 P-521 key
// carries it). Accepted only as a name for the algorithm the P-521 curve already implies.
const ALG_ALIASES: Record<string, string> = { ES521: 'ES512' };

/** details.rule for a JWK carrying private key material (a JWK Set with one is refused whole). */
export const PRIVATE_KEY_RULE = 'must be a public key: private key material is never accepted';

function bad(field: string, rule: string): TesseraError {
  return new TesseraError('ERR_UNSUPPORTED_KEY', `${field}: ${rule}`, { field, rule });
}

function bytesOf(jwk: Record<string, unknown>, name: string, field: string): Buffer {
  const v = jwk[name];
  const b = typeof v === 'string' ? b64uDecode(v) : undefined;
  if (!b) throw bad(`${field}.${name}`, 'must be unpadded base64url');
  return b;
}

function rsaAlg(declared: string | undefined, field: string): SupportedJwsAlg {
  // Without an alg member an RSA key means RS256, the one RSA algorithm every OIDC provider
  // supports; PS* must be declared, so a token cannot pick the padding.
  const alg = declared ?? 'RS256';
  if (!/^(RS|PS)(256|384|512)$/.test(alg)) throw bad(`${field}.alg`, 'must be RS256/384/512 or PS256/384/512 for an RSA key');
  return alg as SupportedJwsAlg;
}

/**
 * Turns a JWK into an ExternalVerifierKey. The algorithm comes from the key (its curve, or its
 * alg member), never from a token header; keys meant for encryption, private keys, RSA keys
 * below 2048 bits, with an exponent other than 65537 or with the ROCA fingerprint, points off
 * the curve and HMAC secrets shorter than the hash are refused with ERR_UNSUPPORTED_KEY.
 */
export function externalVerifierKeyFromJwk(input: unknown, opts: ExternalKeyOptions = {}): ExternalVerifierKey {
  const field = opts.field ?? 'jwk';
  if (input === null || typeof input !== 'object' || Array.isArray(input)) throw bad(field, 'must be a JWK object');
  const jwk = input as Record<string, unknown>;
  if (jwk.use !== undefined && jwk.use !== 'sig') throw bad(`${field}.use`, 'must be "sig" when present');
  if (jwk.key_ops !== undefined && !(Array.isArray(jwk.key_ops) && jwk.key_ops.includes('verify'))) {
    throw bad(`${field}.key_ops`, 'must include "verify" when present');
  }
  if (jwk.kid !== undefined && typeof jwk.kid !== 'string') throw bad(`${field}.kid`, 'must be a string when present');
  if (jwk.alg !== undefined && typeof jwk.alg !== 'string') throw bad(`${field}.alg`, 'must be a string when present');
  const declared = jwk.alg === undefined ? undefined : (ALG_ALIASES[jwk.alg as string] ?? (jwk.alg as string));
  if (jwk.kty !== 'oct') {
    for (const m of ASYMMETRIC_PRIVATE) {
      if (m in jwk) throw bad(`${field}.${m}`, PRIVATE_KEY_RULE);
    }
  }

  let alg: SupportedJwsAlg;
  let key: KeyObject | undefined;
  let pub: JsonWebKey | undefined;
  if (jwk.kty === 'EC') {
    const curve = typeof jwk.crv === 'string' ? CURVES[jwk.crv] : undefined;
    if (!curve) throw bad(`${field}.crv`, 'must be P-256, P-384 or P-521 for an EC key');
    alg = curve.alg;
    const x = bytesOf(jwk, 'x', field);
    const y = bytesOf(jwk, 'y', field);
    if (x.length !== curve.bytes || y.length !== curve.bytes) throw bad(field, `coordinates must be ${curve.bytes} bytes for ${String(jwk.crv)}`);
    pub = { kty: 'EC', crv: jwk.crv as string, x: jwk.x as string, y: jwk.y as string };
  } else if (jwk.kty === 'OKP') {
    if (jwk.crv !== 'Ed25519') throw bad(`${field}.crv`, 'must be Ed25519 for an OKP key');
    alg = 'EdDSA';
    if (bytesOf(jwk, 'x', field).length !== 32) throw bad(`${field}.x`, 'must be 32 bytes');
    pub = { kty: 'OKP', crv: 'Ed25519', x: jwk.x as string };
  } else if (jwk.kty === 'RSA') {
    alg = rsaAlg(declared, field);
    if (jwk.e !== 'AQAB') throw bad(`${field}.e`, 'must be AQAB (65537)');
    const n = bytesOf(jwk, 'n', field);
    // A modulus with a leading zero octet is not minimally encoded (RFC 7518 §6.3.1.1).
    if (n.length === 0 || n[0] === 0) throw bad(`${field}.n`, 'must not have leading zero octets');
    const bits = n.length * 8 - Math.clz32(n[0]!) + 24;
    if (bits < RSA_MIN_BITS || bits > RSA_MAX_BITS) throw bad(`${field}.n`, `must be a ${RSA_MIN_BITS} to ${RSA_MAX_BITS} bit RSA modulus`);
    if (hasRocaFingerprint(n)) throw bad(`${field}.n`, 'is a weak key with the ROCA fingerprint (CVE-2017-15361)');
    pub = { kty: 'RSA', n: jwk.n as string, e: 'AQAB' };
  } else if (jwk.kty === 'oct') {
    if (!opts.allowSymmetric) throw bad(`${field}.kty`, 'symmetric keys are not accepted here');
    if (declared === undefined || !(declared in HMAC_MIN_BYTES)) throw bad(`${field}.alg`, 'must be HS256, HS384 or HS512 for a symmetric key');
    alg = declared as SupportedJwsAlg;
    const k = bytesOf(jwk, 'k', field);
    if (k.length < HMAC_MIN_BYTES[alg]!) throw bad(`${field}.k`, `must be at least ${HMAC_MIN_BYTES[alg]} bytes for ${alg} (RFC 7518 §3.2)`);
    key = createSecretKey(k);
    pub = undefined;
  } else {
    throw bad(`${field}.kty`, 'must be EC, OKP, RSA' + (opts.allowSymmetric ? ' or oct' : ''));
  }
  if (declared !== undefined && declared !== alg) throw bad(`${field}.alg`, `must be ${alg} for this key when present`);
  if (!isSupportedJwsAlg(alg)) throw bad(`${field}.alg`, 'is not a supported algorithm');
  if (opts.algorithms !== undefined && !opts.algorithms.includes(alg)) throw bad(`${field}.alg`, `${alg} is not among the allowed algorithms`);

  if (pub !== undefined) {
    try {
      key = createPublicKey({ key: pub, format: 'jwk' });
    } catch {
      throw bad(field, 'is not a valid public key');
    }
    if (key.asymmetricKeyType !== keyTypeOf(alg)) throw bad(field, 'does not match its algorithm');
  }
  if (key === undefined) throw bad(field, 'is not a usable key');
  return { alg, key, kid: jwk.kid as string | undefined, jwk: pub, thumbprint: pub ? jwkThumbprint(pub) : undefined };
}
