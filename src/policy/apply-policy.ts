import type { RequestContext } from '../shared/context.ts';
import { TesseraError } from '../shared/errors.ts';
import { parsePolicyDocument } from './parse-policy-document.ts';
import { auditPolicyRefusal, type PolicyDeps } from './operation.ts';
import type { StoredPolicy } from './policy-repo.ts';

/**
 * Stores a policy (insert or replace by name). Validated first against the whole live set as it
 * would be (CEL compiles, the name is not a built-in or directory policy): a policy that would
 * not load is never stored. The live set is reloaded before returning.
 */
export async function applyPolicy(deps: PolicyDeps, ctx: RequestContext, body: unknown, nameInPath?: string): Promise<{ policy: StoredPolicy; created: boolean }> {
  const target = nameInPath ?? (typeof (body as { name?: unknown })?.name === 'string' ? (body as { name: string }).name.slice(0, 64) : undefined);
  return auditPolicyRefusal(deps, ctx, 'policy.apply', target, async () => {
    const definition = parsePolicyDocument(body);
    if (nameInPath !== undefined && nameInPath !== definition.name) {
      throw new TesseraError('ERR_INVALID_INPUT', `name: ${definition.name} differs from the name in the path (${nameInPath})`, { field: 'name', rule: 'matches the path' });
    }
    await deps.runtime.validate({ put: definition });
    const now = deps.clock.now();
    let result: { policy: StoredPolicy; created: boolean } | undefined;
    await deps.store.write(async (tx) => {
      const existing = await deps.store.policies.get(definition.name);
      const policy: StoredPolicy = {
        definition, createdAt: existing?.createdAt ?? now, createdBy: existing?.createdBy ?? ctx.actor.id, updatedAt: now, updatedBy: ctx.actor.id,
      };
      await deps.store.policies.put(tx, policy);
      tx.audit(ctx, { action: 'policy.apply', outcome: 'success', target: definition.name, details: { created: !existing, definition } });
      result = { policy, created: !existing };
    });
    await deps.runtime.reload();
    return result!;
  });
}
