import type { KeyObject } from 'node:crypto';
import { decodeJws, type DecodedJws } from './decode-jws.ts';
import { verifySignature, type SupportedJwsAlg } from './verify-signature.ts';

export type VerifyJwsResult = { ok: true; jws: DecodedJws } | { ok: false; reason: string };

/** What a verifier needs: the key and the one algorithm it is pinned to (VerifierKey, ExternalVerifierKey). */
export interface PinnedKey {
  alg: SupportedJwsAlg;
  key: KeyObject;
}

/** Longest kid accepted: an identifier, not a document (bounds what lookups and logs handle). */
export const MAX_KID_LENGTH = 1024;

/**
 * Header members that would change how the token is processed, checked before the signature:
 * - crit (RFC 7515 §4.1.11): Tessera understands no extensions, so any crit fails;
 * - b64 (RFC 7797): only the default (base64url payload, `true`) is accepted, even without crit;
 * - kid: when present it is a string, compared byte for byte by whoever picks the key.
 * Key hints (jwk, jku, x5u, x5c, x5t) are ignored: the caller already chose the key.
 */
function headerProblem(header: Record<string, unknown>): string | undefined {
  if (header.crit !== undefined) return 'crit header extensions are not supported';
  if (header.b64 !== undefined && header.b64 !== true) return 'b64 must not be false (unencoded payloads are not supported)';
  if (header.kid !== undefined && (typeof header.kid !== 'string' || header.kid.length > MAX_KID_LENGTH)) return 'kid must be a string';
  return undefined;
}

/**
 * Checks an already decoded JWS against one known key. The header's alg must equal the key's
 * pinned algorithm exactly ("none", HS256 with a public key as secret and every other mismatch
 * fail), and headerProblem() must find nothing.
 */
export function verifyDecodedJws(jws: DecodedJws, key: PinnedKey): VerifyJwsResult {
  const { header } = jws;
  if (header.alg !== key.alg) {
    const given = typeof header.alg === 'string' ? JSON.stringify(header.alg.slice(0, 16)) : 'missing';
    return { ok: false, reason: `alg ${given} is not the key's algorithm ${key.alg}` };
  }
  const problem = headerProblem(header);
  if (problem) return { ok: false, reason: problem };
  if (!verifySignature(key.alg, key.key, jws.signingInput, jws.signature)) return { ok: false, reason: 'signature does not verify' };
  return { ok: true, jws };
}

/** Verifies a compact JWS against one known key (see verifyDecodedJws). */
export function verifyJws(token: string, key: PinnedKey): VerifyJwsResult {
  const d = decodeJws(token);
  if (!d.ok) return d;
  return verifyDecodedJws(d.jws, key);
}
