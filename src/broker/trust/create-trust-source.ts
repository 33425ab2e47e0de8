import type { RequestContext } from '../../shared/context.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { checkKnownFields, checkName, checkObject } from './guardrails.ts';
import { auditRefusal, checkSourceFields, CONFIG_FIELDS, sourceAuditView, targetOf } from './operation.ts';
import type { TrustRuntime } from './trust-runtime.ts';
import type { TrustSource } from './types.ts';

/** Adds a trust source after every rule has passed (bindings compiled, templates checked). */
export async function createTrustSource(deps: TrustRuntime, ctx: RequestContext, input: unknown): Promise<TrustSource> {
  return auditRefusal(deps, ctx, 'trust-source.create', () => targetOf((input as { name?: unknown } | null)?.name), async () => {
    const body = checkObject(input);
    checkKnownFields(body, ['name', ...CONFIG_FIELDS]);
    const name = checkName(body.name);
    const fields = checkSourceFields(body, deps.trustDomain);
    const now = deps.clock.now();
    const source: TrustSource = { id: uuidv7(now), name, ...fields, createdAt: now, createdBy: ctx.actor.id, updatedAt: now, updatedBy: ctx.actor.id };
    await deps.store.write(async (tx) => {
      await deps.store.trustSources.insert(tx, source);
      tx.audit(ctx, { action: 'trust-source.create', outcome: 'success', target: name, details: sourceAuditView(source) });
    });
    deps.invalidate(source);
    return source;
  });
}
