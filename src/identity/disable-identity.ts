import type { RequestContext } from '../shared/context.ts';
import type { Identity } from './types.ts';
import { auditRefusal, findIdentity, targetOf, type IdentityDeps } from './operation.ts';

/**
 * Disables an identity (by id or SPIFFE ID): it stays registered but gets no new credentials.
 * Disabling a disabled identity changes nothing and is not an error, so scripts can retry.
 */
export async function disableIdentity(deps: IdentityDeps, ctx: RequestContext, ref: unknown): Promise<Identity> {
  let current: Identity | undefined;
  return auditRefusal(deps, ctx, 'identity.disable', () => current?.spiffeId ?? targetOf(ref), async () => {
    current = await findIdentity(deps, ref);
    if (current.disabledAt !== null) return current;
    const now = deps.clock.now();
    const next: Identity = { ...current, disabledAt: now, disabledBy: ctx.actor.id, updatedAt: now, updatedBy: ctx.actor.id };
    await deps.store.write(async (tx) => {
      next.version = await deps.store.identities.update(tx, next);
      tx.audit(ctx, { action: 'identity.disable', outcome: 'success', target: next.spiffeId, details: { id: next.id } });
    });
    return next;
  });
}
