import type { KeyObject } from 'node:crypto';
import { verifyJws, type JwsAlg } from '../ca/index.ts';
import type { Clock } from '../shared/clock.ts';
import { ROLES, type Actor, type Role } from '../shared/context.ts';
import { TesseraError } from '../shared/errors.ts';
import { CLOCK_SKEW_SECONDS } from './constants.ts';
import type { PrincipalRepo } from './principal-repo.ts';

export interface AccessTokenVerifierDeps {
  issuer: string;
  clock: Clock;
  /**
   * The server's published JWT keys, asked on every verification (a rotation changes them); a
   * token naming any other kid is refused. The same array is returned until the set changes.
   */
  keys: () => readonly { kid: string; alg: JwsAlg; publicKey: KeyObject }[];
  /**
   * Re-reads the keys from the store: another server sharing it may have rotated. Called at most
   * once a second, for a kid not known yet (nothing is ever fetched from elsewhere).
   */
  reload?: (() => Promise<void>) | undefined;
  principals: Pick<PrincipalRepo, 'get'>;
}

export interface AccessTokenVerifier {
  /** Verifies a compact access token and returns who it speaks for. */
  verify(token: string): Promise<Actor>;
  /** Verifies an `Authorization: Bearer …` header value. */
  authenticate(authorization: string | undefined): Promise<Actor>;
}

// RFC 6750 §2.1 b64token.
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;
const MAX_HEADER = 16 * 1024;
const TYPES = new Set(['at+jwt', 'application/at+jwt']);
const ROLE_SET = new Set<string>(ROLES);
const CACHE_MAX = 10_000;
const RELOAD_EVERY_MS = 1000;

// Messages name what failed but never repeat the token or its claims.
const fail = (message: string) => new TesseraError('ERR_UNAUTHENTICATED', message, { rule: 'access token' });

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * The hot path of every authenticated request: node:crypto only, key objects built once, one
 * point read to make sure the principal still exists and is enabled.
 */
export function createAccessTokenVerifier(deps: AccessTokenVerifierDeps): AccessTokenVerifier {
  let source: readonly { kid: string; alg: JwsAlg; publicKey: KeyObject }[] | undefined;
  let byKid = new Map<string, { alg: JwsAlg; key: KeyObject }>();
  const keyFor = (kid: string) => {
    const keys = deps.keys();
    if (keys !== source) {
      source = keys;
      byKid = new Map(keys.map((k) => [k.kid, { alg: k.alg, key: k.publicKey }]));
    }
    return byKid.get(kid);
  };
  let lastReload = Number.NEGATIVE_INFINITY;
  async function findKey(kid: unknown): Promise<{ alg: JwsAlg; key: KeyObject } | undefined> {
    if (typeof kid !== 'string') return undefined;
    const known = keyFor(kid);
    if (known || !deps.reload) return known;
    // Rate-limited (in real time, whatever the injected clock says): tokens with made-up kids
    // must not turn into a stream of store reads.
    const now = performance.now();
    if (now - lastReload < RELOAD_EVERY_MS) return undefined;
    lastReload = now;
    await deps.reload();
    return keyFor(kid);
  }

  // Tokens already verified, until they expire: a signature check is most of the cost of an
  // authenticated request, and a client reuses its token for minutes. Only time-independent
  // checks are skipped on a hit; expiry and the principal's state are checked every time.
  const verified = new Map<string, { sub: string; roles: Role[]; exp: number }>();

  async function principalActor(sub: string, tokenRoles: Role[]): Promise<Actor> {
    const p = await deps.principals.get(sub);
    if (!p) throw fail('the principal of this access token no longer exists');
    if (p.disabledAt !== null) throw fail('the principal of this access token is disabled');
    // A token never grants more than the principal holds now: roles removed since issuance drop out.
    return { id: sub, roles: tokenRoles.filter((r) => p.roles.includes(r)) };
  }

  async function verify(token: string): Promise<Actor> {
    const hit = verified.get(token);
    if (hit) {
      if (deps.clock.now() / 1000 >= hit.exp) { verified.delete(token); throw fail('access token has expired'); }
      return principalActor(hit.sub, hit.roles);
    }
    const header = token.split('.', 1)[0] ?? '';
    // Peek at the header for kid and typ; verifyJws below parses and checks everything properly.
    let h: Record<string, unknown>;
    try {
      h = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as Record<string, unknown>;
      if (h === null || typeof h !== 'object') throw new Error('not an object');
    } catch {
      throw fail('access token is malformed: the header is not a JSON object');
    }
    if (typeof h.typ !== 'string' || !TYPES.has(h.typ.toLowerCase())) throw fail('token is not an access token (typ must be at+jwt)');
    const key = await findKey(h.kid);
    if (!key) throw fail('access token was signed by a key this server does not know');
    const r = verifyJws(token, key);
    if (!r.ok) throw fail(`access token rejected: ${r.reason}`);
    const c = r.jws.payload;
    if (!c) throw fail('access token is malformed: the payload is not a JSON object');

    const now = deps.clock.now() / 1000;
    if (c.iss !== deps.issuer) throw fail('access token was issued by another issuer');
    const aud = c.aud;
    if (!(aud === deps.issuer || (Array.isArray(aud) && aud.includes(deps.issuer)))) throw fail('access token is not meant for this server (aud)');
    if (!isNum(c.exp)) throw fail('access token has no exp');
    if (now >= c.exp) throw fail('access token has expired');
    if (!isNum(c.iat)) throw fail('access token has no iat');
    if (c.iat > now + CLOCK_SKEW_SECONDS) throw fail('access token was issued in the future (iat)');
    if (c.nbf !== undefined && (!isNum(c.nbf) || c.nbf > now + CLOCK_SKEW_SECONDS)) throw fail('access token is not valid yet (nbf)');
    if (typeof c.sub !== 'string' || c.sub === '') throw fail('access token has no subject');
    if (typeof c.jti !== 'string' || c.jti === '') throw fail('access token has no jti');
    if (!Array.isArray(c.roles) || !c.roles.every((x) => typeof x === 'string' && ROLE_SET.has(x))) throw fail('access token roles are not valid');

    const actor = await principalActor(c.sub, c.roles as Role[]);
    if (verified.size >= CACHE_MAX) verified.delete(verified.keys().next().value!);
    verified.set(token, { sub: c.sub, roles: c.roles as Role[], exp: c.exp });
    return actor;
  }

  return {
    verify,
    async authenticate(authorization) {
      if (authorization === undefined || authorization === '') throw fail('missing access token: send Authorization: Bearer <token>');
      const m = authorization.length <= MAX_HEADER ? BEARER.exec(authorization) : null;
      if (!m) throw fail('Authorization header must be "Bearer <token>"');
      return verify(m[1]!);
    },
  };
}
