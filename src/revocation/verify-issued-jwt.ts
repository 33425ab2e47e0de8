import { MAX_JWS_LENGTH, verifyJws } from '../ca/index.ts';
import type { PublishedJwtKey } from '../ca/ca-runtime.ts';
import type { Clock } from '../shared/clock.ts';

/** A JWT-SVID (typ JWT) or an RFC 9068 access token (typ at+jwt), both signed by this server. */
export type IssuedJwtType = 'jwt_svid' | 'access_token';

export interface IssuedJwt {
  type: IssuedJwtType;
  claims: Record<string, unknown> & { iss: string; sub: string; jti: string; exp: number; iat: number };
}

export type VerifyIssuedJwtResult =
  | { ok: true; jwt: IssuedJwt }
  | { ok: false; reason: string; expired?: boolean };

export interface IssuedJwtDeps {
  issuer: string;
  clock: Clock;
  /** Every key relying parties may see (prepared, active, retired-but-published): CaRuntime.jwtKeys. */
  jwtKeys: () => readonly PublishedJwtKey[];
}

/** Tolerated clock difference for iat and nbf, seconds (the same as for access tokens). */
export const CLOCK_SKEW_SECONDS = 60;
const MAX_JTI = 256;

const TYPES: Record<string, IssuedJwtType> = { 'jwt': 'jwt_svid', 'at+jwt': 'access_token', 'application/at+jwt': 'access_token' };
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const fail = (reason: string, expired?: boolean): VerifyIssuedJwtResult => (expired ? { ok: false, reason, expired } : { ok: false, reason });

/**
 * Is this a token this server issued and still valid (revocation aside)? The key comes from the
 * header's kid among our published keys only, and its pinned algorithm must match the header's
 * (so `alg: none` and HS256-with-our-public-key fail); issuer, expiry and times are checked.
 * Never throws: every failure is a reason, for audit logs, not for the caller to see.
 */
export function verifyIssuedJwt(deps: IssuedJwtDeps, token: string): VerifyIssuedJwtResult {
  // Only kid and typ are read here, to choose the key; verifyJws then parses everything strictly.
  const firstDot = token.indexOf('.');
  if (token.length > MAX_JWS_LENGTH || firstDot <= 0) return fail('malformed: not a compact JWS');
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(token.slice(0, firstDot), 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return fail('malformed: the header is not JSON');
  }
  if (header === null || typeof header !== 'object') return fail('malformed: the header is not a JSON object');
  const type = typeof header.typ === 'string' ? TYPES[header.typ.toLowerCase()] : undefined;
  if (!type) return fail('typ is neither JWT (JWT-SVID) nor at+jwt (access token)');
  const key = typeof header.kid === 'string' ? deps.jwtKeys().find((k) => k.kid === header.kid) : undefined;
  if (!key) return fail('signed by a key this server does not publish (unknown kid)');
  const r = verifyJws(token, { alg: key.alg, key: key.publicKey });
  if (!r.ok) return fail(r.reason);
  const c = r.jws.payload;
  if (!c) return fail('malformed: the payload is not a JSON object');

  const now = deps.clock.now() / 1000;
  if (c.iss !== deps.issuer) return fail('issued by another issuer');
  if (typeof c.sub !== 'string' || c.sub === '') return fail('no sub');
  if (typeof c.jti !== 'string' || c.jti === '' || c.jti.length > MAX_JTI) return fail('no jti');
  if (!isNum(c.exp)) return fail('no exp');
  if (!isNum(c.iat)) return fail('no iat');
  if (now >= c.exp) return fail('expired', true);
  if (c.iat > now + CLOCK_SKEW_SECONDS) return fail('issued in the future (iat)');
  if (c.nbf !== undefined && (!isNum(c.nbf) || c.nbf > now + CLOCK_SKEW_SECONDS)) return fail('not valid yet (nbf)');
  const aud = c.aud;
  const audOk = (typeof aud === 'string' && aud !== '') || (Array.isArray(aud) && aud.length > 0 && aud.every((a) => typeof a === 'string' && a !== ''));
  if (!audOk) return fail('no aud');
  return { ok: true, jwt: { type, claims: c as IssuedJwt['claims'] } };
}
