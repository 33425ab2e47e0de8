import { isTesseraError } from '../shared/errors.ts';
import { decodeJws } from './decode-jws.ts';
import { externalVerifierKeyFromJwk, type ExternalKeyOptions } from './external-verifier-key.ts';
import { importJwkSet, selectKey } from './import-jwk-set.ts';
import { verifyDecodedJws, type VerifyJwsResult } from './verify-jws.ts';

function refused(e: unknown): VerifyJwsResult {
  if (!isTesseraError(e)) throw e;
  return { ok: false, reason: `key refused: ${e.message}` };
}

/**
 * Verifies a compact JWS against one JWK (an external issuer's key, a test vector): the key is
 * imported with externalVerifierKeyFromJwk, which fixes the algorithm, then the usual checks of
 * verifyDecodedJws apply. Never throws for a bad token or an unusable key.
 */
export function verifyJwsWithJwk(token: unknown, jwk: unknown, opts: ExternalKeyOptions = {}): VerifyJwsResult {
  if (typeof token !== 'string') return { ok: false, reason: 'not a compact JWS string' };
  let key;
  try {
    key = externalVerifierKeyFromJwk(jwk, opts);
  } catch (e) {
    return refused(e);
  }
  const d = decodeJws(token, { allowEmptyPayload: true });
  if (!d.ok) return d;
  return verifyDecodedJws(d.jws, key);
}

/** Verifies a compact JWS against a JWK Set, choosing the key by the header's kid (see importJwkSet). */
export function verifyJwsWithJwks(token: unknown, jwks: unknown, opts: ExternalKeyOptions = {}): VerifyJwsResult {
  if (typeof token !== 'string') return { ok: false, reason: 'not a compact JWS string' };
  let set;
  try {
    set = importJwkSet(jwks, opts);
  } catch (e) {
    return refused(e);
  }
  const d = decodeJws(token, { allowEmptyPayload: true });
  if (!d.ok) return d;
  const key = selectKey(set, d.jws.header.kid);
  if (!key) return { ok: false, reason: 'no usable key with the token\'s kid' };
  return verifyDecodedJws(d.jws, key);
}
