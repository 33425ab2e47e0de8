import { findStaticKey, STATIC_KEY_PREFIX } from '../identity/static-keys/index.ts';
import type { RequestContext } from '../shared/context.ts';
import { TesseraError } from '../shared/errors.ts';
import { auditDenied, type RevocationDeps } from './operation.ts';
import { recordRevocation, type RevocationTarget } from './record-revocation.ts';
import type { Revocation } from './types.ts';
import { verifyIssuedJwt } from './verify-issued-jwt.ts';

export type RevokeTokenResult =
  | { revoked: true; revocation: Revocation; created: boolean }
  | { revoked: false; reason: string };

const ACTION = 'revocation.create';

/** An admin may revoke any token; anyone else only a credential that speaks for themselves. */
function mayRevoke(ctx: RequestContext, subjects: (string | undefined)[]): boolean {
  return ctx.actor.roles.includes('admin') || subjects.some((s) => s !== undefined && s === ctx.actor.id);
}

/**
 * RFC 7009 token revocation. A token that is not a currently valid credential of this server
 * (malformed, foreign, expired, unknown key) changes nothing and is not an error (§2.2): the
 * caller's goal, that the token cannot be used, already holds. The refusal is still audited.
 */
export async function revokeToken(deps: RevocationDeps, ctx: RequestContext, token: string): Promise<RevokeTokenResult> {
  const now = deps.clock.now();
  let t: RevocationTarget;
  let value: string;
  let subjects: (string | undefined)[];
  if (token.startsWith(STATIC_KEY_PREFIX)) {
    const found = await findStaticKey(deps.store, token);
    if (!found.ok || found.key.revokedAt !== null || found.key.expiresAt <= now) {
      const reason = !found.ok ? found.reason : found.key.revokedAt !== null ? 'static key is already revoked' : 'static key has expired';
      if (found.ok && found.key.revokedAt !== null) {
        const existing = await deps.store.revocations.findActive('static-key', found.key.id, now);
        if (existing) return { revoked: true, revocation: existing, created: false };
      }
      await auditDenied(deps, ctx, ACTION, found.ok ? found.identity?.spiffeId : undefined, { via: 'oauth2.revoke', reason });
      return { revoked: false, reason };
    }
    t = { kind: 'static-key', key: found.key, spiffeId: found.identity?.spiffeId };
    value = found.key.id;
    subjects = [found.identity?.spiffeId];
  } else {
    const v = verifyIssuedJwt(deps, token);
    if (!v.ok) {
      await auditDenied(deps, ctx, ACTION, undefined, { via: 'oauth2.revoke', reason: v.reason });
      return { revoked: false, reason: v.reason };
    }
    const c = v.jwt.claims;
    t = { kind: 'jti', jti: c.jti, expiresAt: c.exp * 1000, sub: c.sub };
    value = c.jti;
    subjects = [c.sub, typeof c.client_id === 'string' ? c.client_id : undefined];
  }
  const target = subjects[0];
  if (!mayRevoke(ctx, subjects)) {
    const e = new TesseraError('ERR_FORBIDDEN', 'a workload may revoke only its own tokens and keys', { rule: 'token issued to the caller' });
    await auditDenied(deps, ctx, ACTION, target, { via: 'oauth2.revoke', code: e.code, message: e.message });
    throw e;
  }
  const existing = await deps.store.revocations.findActive(t.kind, value, now);
  if (existing) return { revoked: true, revocation: existing, created: false };
  const revocation = await recordRevocation(deps, ctx, t, { reason: 'revoked through RFC 7009', detectedAt: now, via: 'oauth2.revoke' });
  return { revoked: true, revocation, created: true };
}
