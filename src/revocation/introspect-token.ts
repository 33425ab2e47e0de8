import { findStaticKey, STATIC_KEY_PREFIX, staticKeyUnusableReason } from '../identity/static-keys/index.ts';
import type { RevocationDeps } from './operation.ts';
import { verifyIssuedJwt, type IssuedJwtType } from './verify-issued-jwt.ts';

export type IntrospectionTokenType = IssuedJwtType | 'static_key';

/** RFC 7662 §2.2. Inactive results carry the reason for the audit log only: the caller sees `{active:false}`. */
export type Introspection =
  | { active: false; reason: string; tokenType?: IntrospectionTokenType | undefined }
  | { active: true; response: Record<string, unknown> & { active: true; token_type: IntrospectionTokenType } };

export type IntrospectDeps = Pick<RevocationDeps, 'issuer' | 'clock' | 'jwtKeys' | 'denyList' | 'store'>;

const inactive = (reason: string, tokenType?: IntrospectionTokenType): Introspection => ({ active: false, reason, tokenType });

/**
 * Is this token valid right now? For a JWT-SVID or access token this server signed: signature
 * under a published key, issuer, times, not revoked (in-memory deny list); a JWT-SVID's
 * identity must be registered and enabled, an access token's principal must exist and be
 * enabled. For a `tsk_` static key: known by hash, not revoked or expired, its identity present
 * and enabled and its exception current.
 */
export async function introspectToken(deps: IntrospectDeps, token: string): Promise<Introspection> {
  if (token.startsWith(STATIC_KEY_PREFIX)) return introspectStaticKey(deps, token);
  const v = verifyIssuedJwt(deps, token);
  if (!v.ok) return inactive(v.reason);
  const { type, claims: c } = v.jwt;
  if (deps.denyList.isRevoked({ jti: c.jti, sub: c.sub, iat: c.iat })) return inactive('revoked', type);
  const response: Record<string, unknown> & { active: true; token_type: IntrospectionTokenType } = {
    active: true, token_type: type, iss: c.iss, sub: c.sub, aud: c.aud, exp: c.exp, iat: c.iat, jti: c.jti,
  };
  if (typeof c.nbf === 'number') response.nbf = c.nbf;
  if (type === 'jwt_svid') {
    // A disabled identity's tokens are not honoured while it stays disabled (revocation, above,
    // is what ends them for good); an identity no longer registered has no valid tokens.
    const identity = await deps.store.identities.getBySpiffeId(c.sub);
    if (!identity) return inactive('the identity of this JWT-SVID is not registered', type);
    if (identity.disabledAt !== null) return inactive('the identity of this JWT-SVID is disabled', type);
  }
  if (type === 'access_token') {
    const p = await deps.store.principals.get(c.sub);
    if (!p) return inactive('the principal of this access token no longer exists', type);
    if (p.disabledAt !== null) return inactive('the principal of this access token is disabled', type);
    if (typeof c.client_id === 'string') response.client_id = c.client_id;
    // RFC 9068 roles, as the space-separated scope RFC 7662 defines; never more than the principal holds now.
    if (Array.isArray(c.roles)) response.scope = c.roles.filter((r): r is string => typeof r === 'string' && (p.roles as string[]).includes(r)).join(' ');
  }
  return { active: true, response };
}

async function introspectStaticKey(deps: IntrospectDeps, token: string): Promise<Introspection> {
  const found = await findStaticKey(deps.store, token);
  if (!found.ok) return inactive(found.reason, 'static_key');
  const { key, identity } = found;
  const now = deps.clock.now();
  const unusable = staticKeyUnusableReason(key, identity, now);
  if (unusable) return inactive(unusable, 'static_key');
  if (deps.denyList.isRevoked({ staticKeyId: key.id })) return inactive('static key is revoked', 'static_key');
  return {
    active: true,
    response: {
      active: true, token_type: 'static_key', iss: deps.issuer, sub: identity!.spiffeId, client_id: key.id,
      exp: Math.floor(key.expiresAt / 1000), iat: Math.floor(key.createdAt / 1000),
    },
  };
}
