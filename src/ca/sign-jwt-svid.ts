// The JWT-SVID signing step, the hot path of every JWT-SVID issuance: claims in, compact JWS
// out, synchronously on node:crypto (the header is encoded once per key by the signer).
import { randomFillSync } from 'node:crypto';
import type { JwtSigner } from './jwt-signer.ts';

/** RFC 7519 §4.1 claims of a JWT-SVID (SPIFFE JWT-SVID §3). Times in seconds since the epoch. */
export interface JwtSvidClaims {
  iss: string;
  sub: string;
  /** One audience as a string, several as an array. */
  aud: string | string[];
  exp: number;
  iat: number;
  jti: string;
}

export interface JwtSvidToSign {
  issuer: string;
  spiffeId: string;
  audience: readonly string[];
  /** epoch ms */
  now: number;
  ttlSeconds: number;
}

// jti: 128 random bits. Taken from a pool refilled 256 ids at a time: one randomFillSync per
// token would cost more than the rest of the claims together.
const POOL = Buffer.alloc(16 * 256);
let used = POOL.length;

/** A fresh 128-bit random id, base64url (22 characters). */
export function randomJti(): string {
  if (used === POOL.length) {
    randomFillSync(POOL);
    used = 0;
  }
  const id = POOL.toString('base64url', used, used + 16);
  // Each id is handed out once: wiped as it is used.
  POOL.fill(0, used, used + 16);
  used += 16;
  return id;
}

/** Signs a JWT-SVID: header {alg, kid, typ: "JWT"}, claims iss, sub, aud, exp, iat, jti. */
export function signJwtSvid(signer: JwtSigner, t: JwtSvidToSign): { token: string; claims: JwtSvidClaims } {
  const iat = Math.floor(t.now / 1000);
  const claims: JwtSvidClaims = {
    iss: t.issuer, sub: t.spiffeId, aud: t.audience.length === 1 ? t.audience[0]! : [...t.audience],
    exp: iat + t.ttlSeconds, iat, jti: randomJti(),
  };
  return { token: signer.sign(claims as unknown as Record<string, unknown>, 'JWT'), claims };
}
