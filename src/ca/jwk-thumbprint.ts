import { createHash, type JsonWebKey } from 'node:crypto';

// RFC 7638 §3.2 (and RFC 8037 §2 for OKP): the required members only, in lexicographic order.
const REQUIRED: Record<string, readonly string[]> = {
  EC: ['crv', 'kty', 'x', 'y'],
  OKP: ['crv', 'kty', 'x'],
  RSA: ['e', 'kty', 'n'],
};

/** RFC 7638 JWK thumbprint (SHA-256, base64url). Synchronous, so usable outside start-up. */
export function jwkThumbprint(jwk: JsonWebKey): string {
  const members = jwk.kty === undefined ? undefined : REQUIRED[jwk.kty];
  if (!members) throw new Error(`no thumbprint rule for key type ${String(jwk.kty)}`);
  const obj: Record<string, unknown> = {};
  for (const m of members) {
    const v = (jwk as Record<string, unknown>)[m];
    if (typeof v !== 'string') throw new Error(`JWK member ${m} is required for a thumbprint`);
    obj[m] = v;
  }
  return createHash('sha256').update(JSON.stringify(obj)).digest('base64url');
}
