import type { RequestContext } from '../../shared/context.ts';
import { TesseraError } from '../../shared/errors.ts';
import { auditRefusal } from './audit-refusal.ts';
import type { ExceptionDeps } from './create-exception.ts';
import type { PolicyException } from './types.ts';

export const EXCEPTION_REVOKE_ACTION = 'exception.revoke';

/** Ends an exception now. Revoking one already revoked is a conflict, not a silent success. */
export async function revokeException(deps: Pick<ExceptionDeps, 'store' | 'clock' | 'changed'>, ctx: RequestContext, name: string): Promise<PolicyException> {
  const target = `exception:${name.slice(0, 64)}`;
  try {
    const found = await deps.store.exceptions.get(name);
    if (!found) throw new TesseraError('ERR_NOT_FOUND', `name: no exception ${name.slice(0, 64)}`, { field: 'name', rule: 'must exist' });
    const now = deps.clock.now();
    await deps.store.write(async (tx) => {
      if (!(await deps.store.exceptions.revoke(tx, name, now, ctx.actor.id))) {
        throw new TesseraError('ERR_CONFLICT', `name: exception ${name} is already revoked`, { field: 'name', rule: 'not revoked' });
      }
      tx.audit(ctx, { action: EXCEPTION_REVOKE_ACTION, outcome: 'success', target, details: { name, policy: found.policy, expiresAt: new Date(found.expiresAt).toISOString() } });
    });
    // Awaited: this server's next decision already sees the change.
    await deps.changed?.();
    return { ...found, revokedAt: now, revokedBy: ctx.actor.id };
  } catch (e) {
    return auditRefusal(deps.store, ctx, EXCEPTION_REVOKE_ACTION, target, e);
  }
}
