import { decodeJws } from '../../ca/index.ts';
import { TesseraError } from '../../shared/errors.ts';
import { accessTokenHash } from './access-token-hash.ts';
import { normalizeHtu } from './normalize-htu.ts';
import { proofKey, proofSignatureValid } from './proof-key.ts';
import type { DpopDeps, DpopProofInput, DpopProofResult } from './types.ts';

/** Longest DPoP header accepted: enough for an RSA-4096 key and signature, nothing more. */
export const MAX_PROOF_LENGTH = 8 * 1024;
export const MAX_JTI_LENGTH = 256;
const MAX_NONCE_LENGTH = 512;
const TYP = 'dpop+jwt';

// Messages say which check failed but never echo the proof.
const bad = (reason: string, rule: string) =>
  new TesseraError('ERR_INVALID_DPOP_PROOF', `DPoP proof rejected: ${reason}`, { field: 'DPoP', rule, reason });

/**
 * Verifies a DPoP proof (RFC 9449 §4.3) for one request. Returns undefined when the request
 * carries no DPoP header; otherwise the proof's key thumbprint, or throws ERR_INVALID_DPOP_PROOF
 * naming the failed check, or ERR_USE_DPOP_NONCE with a fresh nonce in details.dpopNonce. The
 * replay check runs last, so a proof refused for any other reason does not use up its jti; with a
 * shared store it may also throw ERR_STORE_UNAVAILABLE (the proof is then refused, never let through).
 */
export async function verifyDpopProof(deps: DpopDeps, input: DpopProofInput): Promise<DpopProofResult | undefined> {
  const { options, replay, nonces } = deps.dpop;
  if (input.proof === undefined) return undefined;
  if (typeof input.proof !== 'string') {
    if (input.proof.length !== 1) throw bad('send exactly one DPoP header', 'single header');
  }
  const proof = typeof input.proof === 'string' ? input.proof : input.proof[0]!;
  if (proof.length > MAX_PROOF_LENGTH) throw bad(`longer than ${MAX_PROOF_LENGTH} characters`, 'size');
  const d = decodeJws(proof.trim());
  if (!d.ok) throw bad(d.reason, 'compact JWS');
  const { header } = d.jws;
  const c = d.jws.payload;
  if (!c) throw bad('the payload is not a JSON object', 'claims');

  if (typeof header.typ !== 'string' || header.typ.toLowerCase() !== TYP) throw bad(`typ must be ${TYP}`, 'typ');
  if (header.crit !== undefined) throw bad('crit header extensions are not supported', 'crit');
  const key = proofKey(header.alg, header.jwk);
  if (typeof key === 'string') throw bad(key, 'key');
  if (!proofSignatureValid(key, d.jws.signingInput, d.jws.signature)) throw bad('signature does not verify with the header jwk', 'signature');

  if (typeof c.jti !== 'string' || c.jti.length === 0) throw bad('jti is required', 'jti');
  if (c.jti.length > MAX_JTI_LENGTH) throw bad(`jti must be at most ${MAX_JTI_LENGTH} characters`, 'jti');
  if (typeof c.htm !== 'string' || c.htm !== input.htm) throw bad(`htm must be the request method ${input.htm}`, 'htm');
  const expected = normalizeHtu(input.htu);
  if (expected === undefined) throw new TesseraError('ERR_INTERNAL', 'the request URI for the DPoP check is not an absolute http(s) URI');
  if (typeof c.htu !== 'string' || normalizeHtu(c.htu) !== expected) throw bad(`htu must be the request URI ${expected}`, 'htu');

  const now = deps.clock.now() / 1000;
  if (typeof c.iat !== 'number' || !Number.isFinite(c.iat)) throw bad('iat is required (seconds since the epoch)', 'iat');
  if (c.iat > now + options.iatSkewSeconds) throw bad('iat is in the future', 'iat');
  if (c.iat < now - options.maxAgeSeconds) throw bad(`the proof is older than ${options.maxAgeSeconds} seconds (iat)`, 'iat');

  if (c.nonce !== undefined && (typeof c.nonce !== 'string' || c.nonce.length > MAX_NONCE_LENGTH)) throw bad('nonce must be a string', 'nonce');
  if (input.requireNonce ?? options.requireNonce) {
    if (c.nonce === undefined || !nonces.isValid(c.nonce as string)) {
      const dpopNonce = nonces.current();
      throw new TesseraError('ERR_USE_DPOP_NONCE',
        c.nonce === undefined ? 'a DPoP nonce is required: retry with the nonce in the DPoP-Nonce header' : 'the DPoP nonce is stale or unknown: retry with the nonce in the DPoP-Nonce header',
        { field: 'DPoP', rule: 'nonce', dpopNonce });
    }
  }

  if (input.accessToken !== undefined) {
    if (typeof c.ath !== 'string') throw bad('ath is required with an access token', 'ath');
    if (c.ath !== accessTokenHash(input.accessToken)) throw bad('ath does not match the access token', 'ath');
  }

  // Keep the jti as long as this proof could pass the iat check, whatever the clock says later.
  const until = (Math.max(c.iat, now) + options.maxAgeSeconds + options.iatSkewSeconds) * 1000;
  const replayed = () => bad('jti was already used: sign a fresh proof for every request', 'replay');
  if (!replay.add(`${key.jkt} ${c.jti}`, until)) throw replayed();
  // Memory answers for this server; the shared store (PostgreSQL only) for every other server on it.
  if (deps.dpop.shared && !(await deps.dpop.shared.remember(key.jkt, c.jti, until))) throw replayed();
  return { jkt: key.jkt };
}
