import { constants, verify, type KeyObject } from 'node:crypto';
import { jwkThumbprint, verifierKeyFromJwk, verifySignature, type JwsAlg } from '../../ca/index.ts';
import { isTesseraError } from '../../shared/errors.ts';

/** A proof's embedded key, checked, with the algorithm the proof header names. */
export interface ProofKey {
  alg: string;
  key: KeyObject;
  jkt: string;
}

// Asymmetric algorithms only (RFC 9449 §4.3 check 5): "none" and every MAC are refused because
// a proof must show possession of a private key. Each alg is tied to one key type.
const KTY_OF: Record<string, string> = { ES256: 'EC', EdDSA: 'OKP', Ed25519: 'OKP', RS256: 'RSA', PS256: 'RSA' };

export const PROOF_ALGS = Object.keys(KTY_OF);

/** Builds the verification key from the header's jwk; a string naming what is wrong otherwise. */
export function proofKey(alg: unknown, jwk: unknown): ProofKey | string {
  if (typeof alg !== 'string' || !(alg in KTY_OF)) {
    return `alg ${typeof alg === 'string' ? JSON.stringify(alg.slice(0, 16)) : 'missing'} is not allowed (use one of ${PROOF_ALGS.join(', ')})`;
  }
  if (jwk === null || typeof jwk !== 'object' || Array.isArray(jwk)) return 'header jwk must be a JWK object';
  const j = jwk as Record<string, unknown>;
  if (j.kty !== KTY_OF[alg]) return `header jwk kty ${JSON.stringify(String(j.kty).slice(0, 8))} does not fit alg ${alg}`;
  try {
    // The key's own alg member is compared with the header here (Ed25519 and EdDSA name one key type).
    if (j.alg !== undefined && j.alg !== alg) return `header jwk alg does not match the proof's alg ${alg}`;
    const vk = verifierKeyFromJwk({ ...j, alg: undefined }, 'jwk', { allowRsa: true });
    return { alg, key: vk.key, jkt: jwkThumbprint(vk.jwk) };
  } catch (e) {
    // Private members, unsupported curves, short RSA moduli, points off the curve…
    return isTesseraError(e) ? `header ${e.message}` : 'header jwk is not a usable public key';
  }
}

/** Checks the proof's signature with its own key; never throws. */
export function proofSignatureValid(k: ProofKey, signingInput: Buffer, signature: Buffer): boolean {
  if (k.alg === 'PS256') {
    try {
      const bits = k.key.asymmetricKeyDetails?.modulusLength ?? 0;
      if (signature.length !== Math.ceil(bits / 8)) return false;
      return verify('sha256', signingInput, { key: k.key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, signature);
    } catch {
      return false;
    }
  }
  const alg: JwsAlg = k.alg === 'Ed25519' ? 'EdDSA' : (k.alg as JwsAlg);
  return verifySignature(alg, k.key, signingInput, signature);
}
