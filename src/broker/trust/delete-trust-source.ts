import type { RequestContext } from '../../shared/context.ts';
import { TesseraError } from '../../shared/errors.ts';
import { auditRefusal, findSource, sourceAuditView, targetOf } from './operation.ts';
import type { TrustRuntime } from './trust-runtime.ts';
import type { TrustSource } from './types.ts';

/** Removes a source: its tokens are refused from now on. The audit event keeps what it was. */
export async function deleteTrustSource(deps: TrustRuntime, ctx: RequestContext, name: unknown): Promise<TrustSource> {
  return auditRefusal(deps, ctx, 'trust-source.delete', () => targetOf(name), async () => {
    const found = await findSource(deps, name);
    await deps.store.write(async (tx) => {
      if (!(await deps.store.trustSources.delete(tx, found.id))) {
        throw new TesseraError('ERR_NOT_FOUND', `name: no trust source ${found.name}`, { field: 'name', rule: 'must exist' });
      }
      tx.audit(ctx, { action: 'trust-source.delete', outcome: 'success', target: found.name, details: sourceAuditView(found) });
    });
    deps.invalidate(found);
    return found;
  });
}
