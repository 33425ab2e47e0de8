// The JWT-SVID issuance operation: a registered, enabled identity and an audience in, a signed
// JWT-SVID out. The registry decides the subject and caps the lifetime; every issuance and every
// refusal is an audit event, and a token is only handed out once its audit event is durable
// (group-committed with concurrent writes, so the audit does not serialise issuance).
import { auditRefusal } from '../audit/index.ts';
import type { Clock } from '../shared/clock.ts';
import type { RequestContext } from '../shared/context.ts';
import { parseDuration } from '../shared/duration.ts';
import { invalid } from '../shared/errors.ts';
import type { UnitOfWork } from '../shared/tx.ts';
import { effectiveTtl, findIdentityToIssue, requireEnabled, IDENTITY_REF_MAX, type Identity, type IdentityRepo } from '../identity/index.ts';
import type { CaRuntime } from './ca-runtime.ts';
import { signerFor } from './jwt-signer.ts';
import { signJwtSvid } from './sign-jwt-svid.ts';

export const JWT_SVID_ACTION = 'svid.jwt.mint';
export const AUDIENCE_MAX = 16;
export const AUDIENCE_VALUE_MAX = 256;

export interface JwtSvidDeps {
  store: { identities: Pick<IdentityRepo, 'get' | 'getBySpiffeId'>; write: UnitOfWork['write'] };
  clock: Clock;
  ca: Pick<CaRuntime, 'jwtSigner'>;
  /** The server's issuer URL: the iss of every token it signs. */
  issuer: string;
  /** The server's policy maximum for any SVID (config svidMaxTtl), seconds. */
  svidMaxTtl: number;
}

export interface JwtSvidInput {
  /** An identity id or its SPIFFE ID. */
  identity?: unknown;
  /** Who the token is for: one audience or a list. */
  audience?: unknown;
  /** Requested lifetime ("5m" or seconds); defaults to the largest allowed. */
  ttl?: unknown;
}

export interface MintedJwtSvid {
  token: string;
  spiffeId: string;
  identityId: string;
  jti: string;
  audience: string[];
  kid: string;
  /** epoch ms, whole seconds */
  issuedAt: number;
  expiresAt: number;
  ttlSeconds: number;
}

/**
 * Audiences: one string or 1..16 of them, each 1..256 printable characters, no wildcard ("*"
 * would make a token acceptable to any relying party that matches patterns). Duplicates fold.
 */
export function checkAudience(value: unknown, field = 'audience'): string[] {
  if (value === undefined || value === null || value === '') throw invalid(field, 'is required: who the token is for (aud)');
  const list = typeof value === 'string' ? [value] : Array.isArray(value) ? value : undefined;
  if (!list || list.length === 0) throw invalid(field, 'must be a string or a non-empty list of strings');
  if (list.length > AUDIENCE_MAX) throw invalid(field, `must have at most ${AUDIENCE_MAX} entries`);
  for (const a of list) {
    if (typeof a !== 'string' || a.length === 0 || a.length > AUDIENCE_VALUE_MAX) throw invalid(field, `each entry must be a string of 1 to ${AUDIENCE_VALUE_MAX} characters`);
    // Audiences end up in logs and headers: no control characters.
    if (/[\u0000-\u001f\u007f]/.test(a)) throw invalid(field, 'entries must not contain control characters');
    if (a.includes('*')) throw invalid(field, 'wildcards ("*") are not allowed: name the relying party exactly');
  }
  return [...new Set(list as string[])];
}


function mint(deps: JwtSvidDeps, identity: Identity, input: JwtSvidInput): MintedJwtSvid {
  requireEnabled(identity);
  const requested = input.ttl === undefined || input.ttl === null ? undefined : parseDuration(input.ttl, 'ttl');
  const ttl = effectiveTtl({ requested, identityMax: identity.maxTtlSeconds, policyMax: deps.svidMaxTtl, field: 'ttl' });
  const audience = checkAudience(input.audience);
  const signer = signerFor(deps.ca.jwtSigner());
  const { token, claims } = signJwtSvid(signer, { issuer: deps.issuer, spiffeId: identity.spiffeId, audience, now: deps.clock.now(), ttlSeconds: ttl });
  return {
    token, spiffeId: identity.spiffeId, identityId: identity.id, jti: claims.jti, audience, kid: signer.kid,
    issuedAt: claims.iat * 1000, expiresAt: claims.exp * 1000, ttlSeconds: ttl,
  };
}

/** Mints a JWT-SVID for a registered identity; refusals are audited and rethrown. */
export async function mintJwtSvid(deps: JwtSvidDeps, ctx: RequestContext, input: JwtSvidInput): Promise<MintedJwtSvid> {
  let target = typeof input.identity === 'string' ? input.identity.slice(0, IDENTITY_REF_MAX) : undefined;
  const svid = await auditRefusal(deps.store, ctx, JWT_SVID_ACTION, () => target, async () => {
    const identity = await findIdentityToIssue(deps.store.identities, input.identity);
    target = identity.spiffeId;
    return mint(deps, identity, input);
  });
  // Never the token itself: whoever reads the audit log must not be able to replay it.
  await deps.store.write(async (tx) => {
    tx.audit(ctx, {
      action: JWT_SVID_ACTION, outcome: 'success', target: svid.spiffeId,
      details: {
        identityId: svid.identityId, jti: svid.jti, aud: svid.audience, kid: svid.kid,
        exp: new Date(svid.expiresAt).toISOString(), ttl: svid.ttlSeconds,
      },
    });
  });
  return svid;
}

