// JWT-SVID verification as a relying party does it (the path the SDK uses): the key by kid among
// the trust domain's published keys, the signature with that key's pinned algorithm, then the
// claims SPIFFE JWT-SVID §3 and RFC 7519 require.
import type { KeyObject } from 'node:crypto';
import { parseSpiffeId } from '../shared/spiffe-id.ts';
import { decodeJws } from './decode-jws.ts';
import { verifyDecodedJws } from './verify-jws.ts';
import type { JwsAlg } from './verify-signature.ts';

export interface JwtSvidVerifyOptions {
  /** The published key with this kid, or undefined when there is none. */
  key(kid: string): { alg: JwsAlg; key: KeyObject } | undefined;
  /** The audiences this relying party answers to: the token's aud must name one of them. */
  audience: string | readonly string[];
  /** epoch ms */
  now: number;
  /** The issuer the token must name (iss); not checked when absent (SPIFFE makes iss optional). */
  issuer?: string | undefined;
  /** The trust domain the subject must belong to; not checked when absent. */
  trustDomain?: string | undefined;
  /** Tolerated clock difference for iat and nbf, seconds (default 60). */
  clockSkewSeconds?: number | undefined;
}

export interface VerifiedJwtSvid {
  spiffeId: string;
  audience: string[];
  /** seconds since the epoch */
  exp: number;
  iat: number | undefined;
  jti: string | undefined;
  kid: string;
  claims: Record<string, unknown>;
}

export type VerifyJwtSvidResult = { ok: true; svid: VerifiedJwtSvid } | { ok: false; reason: string };

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

// Subjects already parsed: a relying party sees the same few callers over and over, and parsing
// a SPIFFE ID costs more than the rest of the claim checks together. Bounded; cleared when full.
const SUBJECTS_MAX = 4096;
const subjects = new Map<unknown, { id: string; trustDomain: string } | null>();
function subjectOf(sub: unknown): { id: string; trustDomain: string } | null {
  let hit = subjects.get(sub);
  if (hit === undefined) {
    try {
      const id = parseSpiffeId(sub, 'sub');
      hit = { id: id.id, trustDomain: id.trustDomain };
    } catch {
      hit = null;
    }
    if (typeof sub === 'string' && sub.length <= 2048) {
      if (subjects.size >= SUBJECTS_MAX) subjects.clear();
      subjects.set(sub, hit);
    }
  }
  return hit;
}
const fail = (reason: string): VerifyJwtSvidResult => ({ ok: false, reason });

/** Never throws: a token that fails any check gets the reason (for logs, not for the caller). */
export function verifyJwtSvid(token: string, opts: JwtSvidVerifyOptions): VerifyJwtSvidResult {
  const d = decodeJws(token);
  if (!d.ok) return fail(d.reason);
  const { header } = d.jws;
  // SPIFFE JWT-SVID §2.2: typ is optional, and JWT or JOSE when present (an access token, at+jwt, is not an SVID).
  if (header.typ !== undefined && header.typ !== 'JWT' && header.typ !== 'JOSE') return fail('typ is not JWT');
  if (typeof header.kid !== 'string' || header.kid === '') return fail('no kid in the header');
  const key = opts.key(header.kid);
  if (!key) return fail('signed by a key the trust domain does not publish (unknown kid)');
  const r = verifyDecodedJws(d.jws, key);
  if (!r.ok) return r;
  const c = d.jws.payload;
  if (!c) return fail('the payload is not a JSON object');

  const id = subjectOf(c.sub);
  if (!id) return fail('sub is not a SPIFFE ID');
  if (opts.trustDomain !== undefined && id.trustDomain !== opts.trustDomain) return fail(`sub is not in trust domain ${opts.trustDomain}`);
  const spiffeId = id.id;
  if (opts.issuer !== undefined && c.iss !== opts.issuer) return fail('issued by another issuer');
  const aud = typeof c.aud === 'string' ? [c.aud] : Array.isArray(c.aud) && c.aud.every((a) => typeof a === 'string') ? (c.aud as string[]) : [];
  if (aud.length === 0) return fail('no aud');
  const accepted = typeof opts.audience === 'string' ? [opts.audience] : opts.audience;
  if (!aud.some((a) => accepted.includes(a))) return fail('not meant for this audience');
  const now = opts.now / 1000;
  const skew = opts.clockSkewSeconds ?? 60;
  if (!isNum(c.exp)) return fail('no exp');
  if (now >= c.exp) return fail('expired');
  if (c.iat !== undefined && (!isNum(c.iat) || c.iat > now + skew)) return fail('issued in the future (iat)');
  if (c.nbf !== undefined && (!isNum(c.nbf) || c.nbf > now + skew)) return fail('not valid yet (nbf)');
  if (c.jti !== undefined && typeof c.jti !== 'string') return fail('jti is not a string');
  return {
    ok: true,
    svid: { spiffeId, audience: aud, exp: c.exp, iat: c.iat as number | undefined, jti: c.jti as string | undefined, kid: header.kid, claims: c },
  };
}
