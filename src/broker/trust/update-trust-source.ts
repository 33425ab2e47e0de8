import type { RequestContext } from '../../shared/context.ts';
import { invalid } from '../../shared/errors.ts';
import { checkKnownFields, checkObject } from './guardrails.ts';
import { auditRefusal, checkSourceFields, CONFIG_FIELDS, findSource, sourceAuditView, targetOf } from './operation.ts';
import type { TrustRuntime } from './trust-runtime.ts';
import type { TrustSource } from './types.ts';

/**
 * Changes a source: the fields given replace the current ones (null clears an optional one) and
 * the whole result is validated again, bindings recompiled. The name cannot change.
 */
export async function updateTrustSource(deps: TrustRuntime, ctx: RequestContext, name: unknown, input: unknown): Promise<TrustSource> {
  return auditRefusal(deps, ctx, 'trust-source.update', () => targetOf(name), async () => {
    const body = checkObject(input);
    checkKnownFields(body, ['name', ...CONFIG_FIELDS]);
    const current = await findSource(deps, name);
    if (body.name !== undefined && body.name !== current.name) throw invalid('name', 'cannot be changed: remove the source and add it again');
    const merged: Record<string, unknown> = {
      kind: current.kind, issuer: current.issuer, jwksUri: current.jwksUri, jwks: current.jwks, jwksFile: current.jwksFile,
      algorithms: current.algorithms, audiences: current.audiences, maxTokenAge: current.maxTokenAgeSeconds,
      environment: current.environment, bindings: current.bindings, description: current.description,
    };
    for (const f of CONFIG_FIELDS) if (body[f] !== undefined) merged[f] = body[f];
    // Choosing another way to get keys replaces the current one.
    for (const f of ['jwksUri', 'jwks', 'jwksFile']) {
      if (body[f] !== undefined && body[f] !== null) for (const g of ['jwksUri', 'jwks', 'jwksFile']) if (g !== f && body[g] === undefined) merged[g] = null;
    }
    const fields = checkSourceFields(merged, deps.trustDomain);
    // Strictly later than the previous version: the JWKS cache is keyed on it.
    const now = Math.max(deps.clock.now(), current.updatedAt + 1);
    const next: TrustSource = { ...current, ...fields, updatedAt: now, updatedBy: ctx.actor.id };
    await deps.store.write(async (tx) => {
      await deps.store.trustSources.update(tx, next);
      tx.audit(ctx, { action: 'trust-source.update', outcome: 'success', target: current.name, details: { before: sourceAuditView(current), after: sourceAuditView(next) } });
    });
    deps.invalidate(current);
    deps.invalidate(next);
    return next;
  });
}
