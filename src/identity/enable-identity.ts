import type { RequestContext } from '../shared/context.ts';
import type { Identity } from './types.ts';
import { auditRefusal, findIdentity, targetOf, type IdentityDeps } from './operation.ts';

/** Re-enables a disabled identity (by id or SPIFFE ID); enabling an enabled one changes nothing. */
export async function enableIdentity(deps: IdentityDeps, ctx: RequestContext, ref: unknown): Promise<Identity> {
  let current: Identity | undefined;
  return auditRefusal(deps, ctx, 'identity.enable', () => current?.spiffeId ?? targetOf(ref), async () => {
    current = await findIdentity(deps, ref);
    if (current.disabledAt === null) return current;
    const now = deps.clock.now();
    const next: Identity = { ...current, disabledAt: null, disabledBy: null, updatedAt: now, updatedBy: ctx.actor.id };
    const wasDisabledAt = new Date(current.disabledAt).toISOString();
    const wasDisabledBy = current.disabledBy;
    await deps.store.write(async (tx) => {
      next.version = await deps.store.identities.update(tx, next);
      tx.audit(ctx, {
        action: 'identity.enable', outcome: 'success', target: next.spiffeId,
        details: { id: next.id, disabledAt: wasDisabledAt, disabledBy: wasDisabledBy },
      });
    });
    return next;
  });
}
