import { sign, type KeyObject } from 'node:crypto';
import { b64u } from './base64url.ts';
import type { JwtAlg, JwtSigningKey } from './ca-runtime.ts';

export interface JwtSigner {
  readonly kid: string;
  readonly alg: JwtAlg;
  /** Signs claims as a compact JWS with header exactly {alg, kid, typ}. */
  sign(claims: Record<string, unknown>, typ: string): string;
}

/** The algorithm a private key signs JWTs with, or undefined for keys Tessera does not sign with. */
export function jwtAlgOf(privateKey: KeyObject): JwtAlg | undefined {
  if (privateKey.asymmetricKeyType === 'ec' && privateKey.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  if (privateKey.asymmetricKeyType === 'rsa' && (privateKey.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048) return 'RS256';
  return undefined;
}

/**
 * JWT signing straight on node:crypto (the hot path: no async WebCrypto hop): ES256 with the
 * fixed-size r||s signature JWS wants, or RS256 (RSASSA-PKCS1-v1_5, SHA-256). The encoded header
 * is computed once per typ. The algorithm follows from the key; a stated alg must agree with it.
 */
export function createJwtSigner(key: { kid: string; privateKey: KeyObject; alg?: JwtAlg | undefined }): JwtSigner {
  const { kid, privateKey } = key;
  const alg = jwtAlgOf(privateKey);
  if (!alg) throw new Error('createJwtSigner needs a P-256 (ES256) or 2048-bit or larger RSA (RS256) private key');
  if (key.alg !== undefined && key.alg !== alg) throw new Error(`createJwtSigner: the key is for ${alg}, not ${key.alg}`);
  const opts = alg === 'ES256' ? { key: privateKey, dsaEncoding: 'ieee-p1363' as const } : privateKey;
  const headers = new Map<string, string>();
  return {
    kid,
    alg,
    sign(claims, typ) {
      let h = headers.get(typ);
      if (h === undefined) {
        h = b64u(JSON.stringify({ alg, kid, typ }));
        headers.set(typ, h);
      }
      const input = `${h}.${b64u(JSON.stringify(claims))}`;
      return `${input}.${sign('sha256', Buffer.from(input, 'ascii'), opts).toString('base64url')}`;
    },
  };
}

// One signer per signing key object: the CA runtime hands out the same object until a rotation,
// so the encoded headers are built once per key, not once per token.
const signers = new WeakMap<JwtSigningKey, JwtSigner>();

/** The signer for the key the CA signs with now (see CaRuntime.jwtSigner()). */
export function signerFor(key: JwtSigningKey): JwtSigner {
  let s = signers.get(key);
  if (!s) {
    s = createJwtSigner(key);
    signers.set(key, s);
  }
  return s;
}
