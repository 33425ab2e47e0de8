import type { RequestContext } from '../shared/context.ts';
import { TesseraError } from '../shared/errors.ts';
import type { Identity } from './types.ts';
import { auditRefusal, findIdentity, targetOf, type IdentityDeps } from './operation.ts';
import { identityAuditView } from './audit-view.ts';

/** Deletes an identity (by id or SPIFFE ID); the audit event keeps what it was. */
export async function deleteIdentity(deps: IdentityDeps, ctx: RequestContext, ref: unknown): Promise<Identity> {
  let current: Identity | undefined;
  return auditRefusal(deps, ctx, 'identity.delete', () => current?.spiffeId ?? targetOf(ref), async () => {
    const found = current = await findIdentity(deps, ref);
    await deps.store.write(async (tx) => {
      // Gone between the read and the write (deleted concurrently): say so rather than claim success.
      if (!(await deps.store.identities.delete(tx, found.id))) {
        throw new TesseraError('ERR_NOT_FOUND', `id: no identity ${found.id}`, { field: 'id', rule: 'must exist' });
      }
      tx.audit(ctx, { action: 'identity.delete', outcome: 'success', target: found.spiffeId, details: identityAuditView(found) });
    });
    return found;
  });
}
