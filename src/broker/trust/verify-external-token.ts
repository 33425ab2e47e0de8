// Verification of a token issued by a trust source (a Kubernetes service-account token, a
// GitHub Actions or GitLab CI OIDC token, any OIDC ID token). Everything that decides validity
// comes from the source's configuration, never from the token: the algorithm is pinned, key
// hints (jku, x5u, jwk, x5c) are ignored, kid is only compared as a string.
import { decodeJws, type DecodeResult } from '../../ca/decode-jws.ts';
import { verifyDecodedJws } from '../../ca/verify-jws.ts';
import { TesseraError } from '../../shared/errors.ts';
import type { CompiledSource, TrustRuntime } from './trust-runtime.ts';
import type { TrustSource } from './types.ts';

export interface VerifiedExternalToken {
  source: TrustSource;
  claims: Record<string, unknown>;
  header: Record<string, unknown>;
}

/** Why a token was refused, as a stable word (audit details, metrics) besides the message. */
export type RefusalReason =
  | 'malformed' | 'unknown_issuer' | 'wrong_issuer' | 'alg_not_allowed' | 'unsupported_header' | 'no_keys' | 'unknown_kid'
  | 'bad_signature' | 'expired' | 'not_yet_valid' | 'missing_claim' | 'issued_in_future' | 'too_old' | 'lifetime_too_long' | 'wrong_audience';

function refuse(reason: RefusalReason, message: string, source?: TrustSource): TesseraError {
  return new TesseraError('ERR_INVALID_GRANT', message, { reason, ...(source ? { source: source.name } : {}) });
}

/** A short, printable rendering of an untrusted value for messages. */
function shown(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v) ?? String(v);
  return JSON.stringify(s.length > 120 ? `${s.slice(0, 120)}…` : s);
}

const NO_KID_MAX_KEYS = 4;

const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * Verifies a token against the trust source whose issuer is its `iss` (or, with `only`, against
 * that one source). Throws ERR_INVALID_GRANT naming why. `decoded`, when given, is decodeJws of
 * this very token (the exchange has already decoded it to choose its path): not decoded twice.
 */
export async function verifyExternalToken(deps: TrustRuntime, token: string, only?: CompiledSource, decoded: DecodeResult = decodeJws(token)): Promise<VerifiedExternalToken> {
  if (typeof token !== 'string') throw refuse('malformed', 'the token must be a string');
  if (!decoded.ok) throw refuse('malformed', `the token is not a valid JWT: ${decoded.reason}`);
  const { header, payload: claims } = decoded.jws;
  if (!claims) throw refuse('malformed', 'the token payload is not a JSON object');

  const iss = claims.iss;
  if (typeof iss !== 'string' || iss === '') throw refuse('malformed', 'the token has no iss claim');
  let compiled: CompiledSource | undefined;
  if (only) {
    if (iss !== only.source.issuer) throw refuse('wrong_issuer', `wrong issuer: the token's iss ${shown(iss)} is not ${only.source.issuer}`, only.source);
    compiled = only;
  } else {
    compiled = await deps.sourceByIssuer(iss);
    if (!compiled) throw refuse('unknown_issuer', `wrong issuer: no trust source for issuer ${shown(iss)}`);
  }
  const { source } = compiled;

  const alg = header.alg;
  if (typeof alg !== 'string' || !source.algorithms.includes(alg as TrustSource['algorithms'][number])) {
    throw refuse('alg_not_allowed', `alg ${shown(alg ?? 'missing')} is not allowed for source ${source.name} (allowed: ${source.algorithms.join(', ')})`, source);
  }
  // RFC 7797: an unencoded payload changes what the signature covers; no issuer we trust uses it.
  if (header.b64 !== undefined) throw refuse('unsupported_header', 'the b64 header parameter is not supported', source);
  if (header.crit !== undefined) throw refuse('unsupported_header', 'crit header extensions are not supported', source);
  const kid = header.kid;
  if (kid !== undefined && (typeof kid !== 'string' || kid.length > 256)) throw refuse('malformed', 'kid must be a string', source);

  const found = await deps.keys.lookup(source, kid);
  if ('error' in found) throw refuse(found.error.startsWith('unknown kid') ? 'unknown_kid' : 'no_keys', found.error, source);
  // A key of another type than alg names fails in verifyDecodedJws (alg/key-type pinning).
  const candidates = found.keys.filter((k) => k.alg === alg);
  if (candidates.length === 0) throw refuse('alg_not_allowed', `alg ${alg} does not match the type of key ${shown(kid ?? '(no kid)')}`, source);
  // Without a kid every key would be tried: bound the work a token can cause.
  if (kid === undefined && candidates.length > NO_KID_MAX_KEYS) throw refuse('unknown_kid', `the token has no kid and source ${source.name} has ${candidates.length} keys`, source);
  if (!candidates.some((k) => verifyDecodedJws(decoded.jws, k).ok)) throw refuse('bad_signature', `bad signature: the token is not signed by source ${source.name}`, source);

  checkTimes(deps, source, claims);
  const aud = claims.aud;
  const auds = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud.filter((a): a is string => typeof a === 'string') : [];
  if (!auds.some((a) => source.audiences.includes(a))) {
    throw refuse('wrong_audience', `wrong audience: the token's aud ${shown(aud ?? 'missing')} does not contain ${source.audiences.map((a) => JSON.stringify(a)).join(' or ')}`, source);
  }
  return { source, claims, header };
}

function checkTimes(deps: TrustRuntime, source: TrustSource, claims: Record<string, unknown>): void {
  const now = deps.clock.now() / 1000;
  const skew = deps.clockSkewSeconds;
  const { exp, iat, nbf } = claims;
  if (!isTime(exp)) throw refuse('missing_claim', 'the token has no numeric exp claim', source);
  if (!isTime(iat)) throw refuse('missing_claim', 'the token has no numeric iat claim', source);
  if (nbf !== undefined && !isTime(nbf)) throw refuse('malformed', 'the nbf claim is not a number', source);
  if (now >= exp + skew) throw refuse('expired', `the token expired at ${new Date(exp * 1000).toISOString()}`, source);
  if (nbf !== undefined && now + skew < nbf) throw refuse('not_yet_valid', `the token is not valid before ${new Date(nbf * 1000).toISOString()}`, source);
  if (now + skew < iat) throw refuse('issued_in_future', 'the token was issued in the future (iat is ahead of this server\'s clock)', source);
  if (now - iat > source.maxTokenAgeSeconds + skew) {
    throw refuse('too_old', `the token is too old: issued ${Math.round(now - iat)} s ago, source ${source.name} accepts at most ${source.maxTokenAgeSeconds} s`, source);
  }
  if (exp - iat > deps.maxLifetimeSeconds) {
    throw refuse('lifetime_too_long', `the token lives too long: exp − iat is ${Math.round(exp - iat)} s, at most ${deps.maxLifetimeSeconds} s is accepted`, source);
  }
}
