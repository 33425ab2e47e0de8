import type { RequestContext } from '../shared/context.ts';
import { TesseraError } from '../shared/errors.ts';
import { auditPolicyRefusal, type PolicyDeps } from './operation.ts';

/** Removes a stored policy (built-in and directory policies are not the API's to delete). */
export async function deletePolicy(deps: PolicyDeps, ctx: RequestContext, name: string): Promise<void> {
  return auditPolicyRefusal(deps, ctx, 'policy.delete', name.slice(0, 64), async () => {
    const live = deps.runtime.current().policies.find((p) => p.name === name);
    const stored = await deps.store.policies.get(name);
    if (!stored) {
      if (live) {
        throw new TesseraError('ERR_CONFLICT', `name: policy ${name} comes from ${live.source}, not the store; change it there`, { field: 'name', rule: 'stored policies only' });
      }
      throw new TesseraError('ERR_NOT_FOUND', `name: no stored policy ${name}`, { field: 'name', rule: 'must exist' });
    }
    await deps.store.write(async (tx) => {
      if (!(await deps.store.policies.delete(tx, name))) throw new TesseraError('ERR_NOT_FOUND', `name: no stored policy ${name}`, { field: 'name', rule: 'must exist' });
      tx.audit(ctx, { action: 'policy.delete', outcome: 'success', target: name, details: { definition: stored.definition } });
    });
    await deps.runtime.reload();
  });
}
