import { decodeJws, verifierKeyFromJwk, verifyJws, type VerifierKey } from '../ca/index.ts';
import type { Clock } from '../shared/clock.ts';
import { TesseraError } from '../shared/errors.ts';
import { CLOCK_SKEW_SECONDS, MAX_ASSERTION_LIFETIME_SECONDS } from './constants.ts';
import type { Principal, PrincipalRepo } from './principal-repo.ts';

export interface AssertionDeps {
  issuer: string;
  /** `<issuer>/oauth2/token`: the audience RFC 7523 §3 suggests. */
  tokenEndpoint: string;
  clock: Clock;
  principals: Pick<PrincipalRepo, 'get'>;
  /** Verifier keys by JWK thumbprint, so a principal's JWK is imported once. */
  keyCache: Map<string, VerifierKey>;
}

export interface VerifiedAssertion {
  principal: Principal;
  jti: string;
  /** seconds since the epoch */
  exp: number;
}

const MAX_CACHED_KEYS = 1000;
const MAX_JTI = 256;

/**
 * `reason` is precise and goes to the audit log; the message the client sees is the same
 * except where precision would tell an unauthenticated caller which principals exist.
 */
function denied(reason: string, message = reason): TesseraError {
  return new TesseraError('ERR_INVALID_GRANT', message, { rule: 'assertion', reason });
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function keyOf(p: Principal, cache: Map<string, VerifierKey>): VerifierKey {
  let k = cache.get(p.jwkThumbprint);
  if (!k) {
    k = verifierKeyFromJwk(p.publicJwk);
    if (cache.size >= MAX_CACHED_KEYS) cache.clear();
    cache.set(p.jwkThumbprint, k);
  }
  return k;
}

/**
 * Verifies an RFC 7523 §3 JWT bearer assertion: signed by the registered key of the principal
 * named in iss (= sub), with the algorithm that key's type pins, meant for this server, short
 * and current. Single use (jti) is enforced by the caller inside its write transaction.
 */
export async function verifyAssertion(deps: AssertionDeps, assertion: string): Promise<VerifiedAssertion> {
  const d = decodeJws(assertion);
  if (!d.ok) throw denied(`assertion is malformed: ${d.reason}`);
  const claims = d.jws.payload;
  if (!claims) throw denied('assertion is malformed: the payload is not a JSON object');
  const iss = claims.iss;
  if (typeof iss !== 'string' || iss === '') throw denied('assertion has no iss (the principal id)');
  if (claims.sub !== iss) throw denied('assertion sub must equal iss (the principal id)');

  const unknown = 'assertion issuer is not a registered, enabled principal';
  const principal = iss.length <= 128 ? await deps.principals.get(iss) : undefined;
  if (!principal) throw denied(`unknown principal ${iss.slice(0, 128)}`, unknown);
  if (principal.disabledAt !== null) throw denied(`principal ${iss} is disabled`, unknown);

  const r = verifyJws(assertion, keyOf(principal, deps.keyCache));
  if (!r.ok) throw denied(`assertion rejected: ${r.reason}`);

  const now = deps.clock.now() / 1000;
  const aud = claims.aud;
  const audiences = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : [];
  if (!audiences.some((a) => a === deps.tokenEndpoint || a === deps.issuer)) {
    throw denied(`assertion aud must contain ${deps.tokenEndpoint} (or ${deps.issuer})`);
  }
  const { exp, iat, nbf, jti } = claims;
  if (!isNum(exp)) throw denied('assertion has no exp');
  if (now >= exp) throw denied('assertion has expired');
  if (exp - now > MAX_ASSERTION_LIFETIME_SECONDS + CLOCK_SKEW_SECONDS) {
    throw denied(`assertion exp is more than ${MAX_ASSERTION_LIFETIME_SECONDS / 60} minutes away: sign short-lived assertions`);
  }
  if (iat !== undefined) {
    if (!isNum(iat)) throw denied('assertion iat is not a number');
    if (iat > now + CLOCK_SKEW_SECONDS) throw denied('assertion iat is in the future');
    if (exp - iat > MAX_ASSERTION_LIFETIME_SECONDS) {
      throw denied(`assertion exp is more than ${MAX_ASSERTION_LIFETIME_SECONDS / 60} minutes after iat: sign short-lived assertions`);
    }
  }
  if (nbf !== undefined && (!isNum(nbf) || nbf > now + CLOCK_SKEW_SECONDS)) throw denied('assertion is not valid yet (nbf)');
  if (typeof jti !== 'string' || jti === '' || jti.length > MAX_JTI) throw denied(`assertion needs a jti of 1..${MAX_JTI} characters (single use)`);
  return { principal, jti, exp };
}
