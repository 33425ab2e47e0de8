import { decodeJws, type DecodedJws } from './decode-jws.ts';
import { verifySignature } from './verify-signature.ts';
import type { VerifierKey } from './verifier-key.ts';

export type VerifyJwsResult = { ok: true; jws: DecodedJws } | { ok: false; reason: string };

/**
 * Checks an already decoded JWS against one known key. The header's alg must equal the key's
 * pinned algorithm exactly ("none", HS256 with a public key as secret and every other mismatch
 * fail), and a "crit" header is refused because Tessera understands no extensions. Key hints in
 * the header (jwk, jku, x5u, x5c) are ignored: the caller already chose the key.
 */
export function verifyDecodedJws(jws: DecodedJws, key: Pick<VerifierKey, 'alg' | 'key'>): VerifyJwsResult {
  const { header } = jws;
  if (header.alg !== key.alg) {
    const given = typeof header.alg === 'string' ? JSON.stringify(header.alg.slice(0, 16)) : 'missing';
    return { ok: false, reason: `alg ${given} is not the key's algorithm ${key.alg}` };
  }
  if (header.crit !== undefined) return { ok: false, reason: 'crit header extensions are not supported' };
  if (!verifySignature(key.alg, key.key, jws.signingInput, jws.signature)) return { ok: false, reason: 'signature does not verify' };
  return { ok: true, jws };
}

/** Verifies a compact JWS against one known key (see verifyDecodedJws). */
export function verifyJws(token: string, key: Pick<VerifierKey, 'alg' | 'key'>): VerifyJwsResult {
  const d = decodeJws(token);
  if (!d.ok) return d;
  return verifyDecodedJws(d.jws, key);
}
