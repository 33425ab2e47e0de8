import { isTesseraError, TesseraError } from '../shared/errors.ts';
import { externalVerifierKeyFromJwk, PRIVATE_KEY_RULE, type ExternalKeyOptions, type ExternalVerifierKey } from './external-verifier-key.ts';

export interface ImportedJwkSet {
  keys: ExternalVerifierKey[];
  /** Keys left out (meant for encryption, unsupported type, too weak…), with the reason. */
  skipped: { index: number; kid: string | undefined; reason: string }[];
}

/**
 * Imports a JWK Set (RFC 7517 §5) for verification. Keys that cannot be used for verifying are
 * skipped with a reason (published sets often carry encryption keys as well), but two things
 * make the whole set unusable, because they make "which key signed this" ambiguous: two keys
 * with the same kid, and symmetric secrets mixed with asymmetric keys. A set with any
 * asymmetric private key is refused too: someone published a secret.
 */
export function importJwkSet(input: unknown, opts: ExternalKeyOptions = {}): ImportedJwkSet {
  const field = opts.field ?? 'jwks';
  const list = input !== null && typeof input === 'object' && !Array.isArray(input) ? (input as { keys?: unknown }).keys : undefined;
  if (!Array.isArray(list)) throw new TesseraError('ERR_UNSUPPORTED_KEY', `${field}: must be a JWK Set ({"keys": [...]})`, { field, rule: 'jwk-set' });
  const keys: ExternalVerifierKey[] = [];
  const skipped: ImportedJwkSet['skipped'] = [];
  const kids = new Set<string>();
  let symmetric = 0;
  list.forEach((jwk: unknown, index) => {
    const kid = jwk !== null && typeof jwk === 'object' && typeof (jwk as { kid?: unknown }).kid === 'string' ? (jwk as { kid: string }).kid : undefined;
    if (kid !== undefined) {
      if (kids.has(kid)) throw new TesseraError('ERR_UNSUPPORTED_KEY', `${field}: two keys share kid ${JSON.stringify(kid.slice(0, 64))}`, { field: `${field}.keys[${index}].kid`, rule: 'unique-kid' });
      kids.add(kid);
    }
    if ((jwk as { kty?: unknown } | null)?.kty === 'oct') symmetric++;
    try {
      keys.push(externalVerifierKeyFromJwk(jwk, { ...opts, field: `${field}.keys[${index}]` }));
    } catch (e) {
      if (!isTesseraError(e)) throw e;
      if (e.details?.rule === PRIVATE_KEY_RULE) throw e;
      skipped.push({ index, kid, reason: e.message });
    }
  });
  if (symmetric > 0 && symmetric < list.length) {
    throw new TesseraError('ERR_UNSUPPORTED_KEY', `${field}: mixes symmetric and asymmetric keys`, { field, rule: 'mixed-key-set' });
  }
  return { keys, skipped };
}

/**
 * The key a token names: by kid, compared exactly (kid is opaque: no trimming, case folding or
 * path handling). A token without a kid is only matched when the set holds exactly one key.
 */
export function selectKey(set: ImportedJwkSet, kid: unknown): ExternalVerifierKey | undefined {
  if (kid === undefined) return set.keys.length === 1 && set.skipped.length === 0 ? set.keys[0] : undefined;
  if (typeof kid !== 'string') return undefined;
  return set.keys.find((k) => k.kid === kid);
}
