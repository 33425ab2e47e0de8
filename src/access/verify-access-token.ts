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

/** What the request offers to prove it is the holder of a sender-constrained token. */
export interface SenderProof {
  /** Verifies the request's DPoP proof for this access token; its key thumbprint, or undefined without a proof. */
  dpopJkt(accessToken: string): Promise<string | undefined>;
  /** SHA-256 thumbprint of the TLS client certificate, when the request came with one. */
  tlsX5t(): string | undefined;
}

export interface AccessTokenVerifier {
  /** Verifies a compact access token and returns who it speaks for (its sender constraint unchecked). */
  verify(token: string): Promise<Actor>;
  /** Verifies an `Authorization: Bearer …` or `Authorization: DPoP …` header value. */
  authenticate(authorization: string | undefined, sender?: SenderProof): Promise<Actor>;
}

type Cnf = { jkt?: string | undefined; x5t?: string | undefined };

// RFC 6750 §2.1 b64token.
const BEARER = /^(Bearer|DPoP) +([A-Za-z0-9\-._~+/]+=*) *$/i;
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
  const verified = new Map<string, { sub: string; roles: Role[]; exp: number; cnf: Cnf | undefined }>();

  async function principalActor(sub: string, tokenRoles: Role[]): Promise<Actor> {
    const p = await deps.principals.get(sub);
    if (!p) throw fail('the principal of this access token no longer exists');
    if (p.disabledAt !== null) throw fail('the principal of this access token is disabled');
    // A token never grants more than the principal holds now: roles removed since issuance drop out.
    return { id: sub, roles: tokenRoles.filter((r) => p.roles.includes(r)) };
  }

  async function verifyBound(token: string): Promise<{ actor: Actor; cnf: Cnf | undefined }> {
    const hit = verified.get(token);
    if (hit) {
      if (deps.clock.now() / 1000 >= hit.exp) { verified.delete(token); throw fail('access token has expired'); }
      return { actor: await principalActor(hit.sub, hit.roles), cnf: hit.cnf };
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

    const cnf = cnfOf(c.cnf);
    const actor = await principalActor(c.sub, c.roles as Role[]);
    if (verified.size >= CACHE_MAX) verified.delete(verified.keys().next().value!);
    verified.set(token, { sub: c.sub, roles: c.roles as Role[], exp: c.exp, cnf });
    return { actor, cnf };
  }

  return {
    verify: async (token) => (await verifyBound(token)).actor,
    async authenticate(authorization, sender) {
      if (authorization === undefined || authorization === '') throw fail('missing access token: send Authorization: Bearer <token>');
      const m = authorization.length <= MAX_HEADER ? BEARER.exec(authorization) : null;
      if (!m) throw fail('Authorization header must be "Bearer <token>" (or "DPoP <token>" for a DPoP-bound token)');
      const dpopScheme = m[1]!.toLowerCase() === 'dpop';
      const token = m[2]!;
      const { actor, cnf } = await verifyBound(token);
      await checkSender(token, dpopScheme, cnf, sender);
      return actor;
    },
  };
}

/** The token's confirmation claim (RFC 7800), read strictly: a malformed one is refused, never ignored. */
function cnfOf(v: unknown): Cnf | undefined {
  if (v === undefined) return undefined;
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw fail('access token cnf claim is malformed');
  const o = v as Record<string, unknown>;
  const jkt = o.jkt;
  const x5t = o['x5t#S256'];
  if ((jkt !== undefined && typeof jkt !== 'string') || (x5t !== undefined && typeof x5t !== 'string')) throw fail('access token cnf claim is malformed');
  if (jkt === undefined && x5t === undefined) throw fail('access token cnf claim names no key this server understands');
  return { jkt, x5t };
}

/**
 * A sender-constrained token is only honoured together with proof of its key: a DPoP-bound
 * token needs the DPoP scheme and a proof by that key (RFC 9449 §7.1), a certificate-bound token
 * needs the same client certificate on the TLS connection (RFC 8705 §3). The DPoP scheme with
 * an unbound token is refused too: it would claim a protection the token does not have.
 */
async function checkSender(token: string, dpopScheme: boolean, cnf: Cnf | undefined, sender: SenderProof | undefined): Promise<void> {
  if (cnf?.jkt !== undefined) {
    if (!dpopScheme) throw fail('this access token is DPoP-bound: send it as "Authorization: DPoP <token>" with a DPoP proof');
    const jkt = sender ? await sender.dpopJkt(token) : undefined;
    if (jkt === undefined) throw fail('a DPoP proof (DPoP header) is required with a DPoP-bound access token');
    if (jkt !== cnf.jkt) throw fail('the DPoP proof is signed by another key than the one this access token is bound to');
  } else if (dpopScheme) {
    throw fail('this access token is not DPoP-bound: send it as "Authorization: Bearer <token>"');
  }
  if (cnf?.x5t !== undefined) {
    const x5t = sender?.tlsX5t();
    if (x5t === undefined) throw fail('this access token is bound to a client certificate: present it on the TLS connection');
    if (x5t !== cnf.x5t) throw fail('the TLS client certificate is not the one this access token is bound to');
  }
}
