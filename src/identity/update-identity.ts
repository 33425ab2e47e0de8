import type { RequestContext } from '../shared/context.ts';
import { TesseraError, invalid } from '../shared/errors.ts';
import type { Identity } from './types.ts';
import {
  checkDescription, checkKnownFields, checkLabels, checkObject, checkOwner, checkStaticException,
  checkTier, checkTtl, checkTtlWithinTier, checkBearerForbidden,
} from './guardrails.ts';
import { auditRefusal, findIdentity, targetOf, type IdentityDeps } from './operation.ts';
import { identityAuditView } from './audit-view.ts';

/**
 * A partial update: only the fields given change. `labels` replaces the whole label set;
 * `staticException: null` ends an exception. environment and spiffeId cannot change.
 */
export interface UpdateIdentityInput {
  owner?: string | undefined;
  tier?: number | undefined;
  maxTtl?: string | number | undefined;
  ttl?: string | number | undefined;
  description?: string | null | undefined;
  labels?: Record<string, string> | null | undefined;
  staticException?: { reason: string; expiresAt: string | number } | null | undefined;
  bearerForbidden?: boolean | undefined;
}

const FIELDS = ['owner', 'tier', 'maxTtl', 'ttl', 'description', 'labels', 'staticException', 'environment', 'spiffeId', 'bearerForbidden'];
type Mutable = 'owner' | 'tier' | 'maxTtlSeconds' | 'description' | 'labels' | 'staticException' | 'bearerForbidden';
const MUTABLE: readonly Mutable[] = ['owner', 'tier', 'maxTtlSeconds', 'description', 'labels', 'staticException', 'bearerForbidden'];

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const sameLabels = (a: Record<string, string>, b: Record<string, string>) =>
  same(Object.entries(a).sort(([x], [y]) => (x < y ? -1 : 1)), Object.entries(b).sort(([x], [y]) => (x < y ? -1 : 1)));

/** Updates an identity (by id or SPIFFE ID); the merged result must pass every guardrail. */
export async function updateIdentity(deps: IdentityDeps, ctx: RequestContext, ref: unknown, patch: unknown,
  opts: { ifVersion?: number | undefined } = {}): Promise<Identity> {
  let current: Identity | undefined;
  return auditRefusal(deps, ctx, 'identity.update', () => current?.spiffeId ?? targetOf(ref), async () => {
    current = await findIdentity(deps, ref);
    // HTTP If-Match: the caller edited what it read at ifVersion; anything newer is not overwritten.
    if (opts.ifVersion !== undefined && opts.ifVersion !== current.version) {
      throw new TesseraError('ERR_PRECONDITION_FAILED',
        `${current.spiffeId} is at version ${current.version}, not ${opts.ifVersion} (If-Match): read it again and retry`,
        { field: 'if-match', rule: 'must be the current version' });
    }
    const body = checkObject(patch, 'body');
    checkKnownFields(body, FIELDS);
    if (Object.keys(body).length === 0) throw invalid('body', 'must name at least one field to change');
    if (body.spiffeId !== undefined && body.spiffeId !== current.spiffeId) {
      throw invalid('spiffeId', 'is immutable: register a new identity for a different SPIFFE ID');
    }
    if (body.environment !== undefined && body.environment !== current.environment) {
      throw new TesseraError('ERR_ENVIRONMENT_IMMUTABLE',
        `environment: is immutable (${current.spiffeId} belongs to "${current.environment}"); register a separate identity for another environment`,
        { field: 'environment', rule: 'is immutable' });
    }
    const next: Identity = { ...current };
    if (body.owner !== undefined) next.owner = checkOwner(body.owner);
    if (body.tier !== undefined) next.tier = checkTier(body.tier);
    if (body.ttl !== undefined && body.maxTtl !== undefined) throw invalid('maxTtl', 'give either ttl or maxTtl, not both');
    const ttlField = body.maxTtl !== undefined ? 'maxTtl' : body.ttl !== undefined ? 'ttl' : undefined;
    if (ttlField) next.maxTtlSeconds = checkTtl(body[ttlField], ttlField);
    // Lowering the tier can put the existing lifetime over the new cap: blame the field that moved.
    checkTtlWithinTier(next.tier, next.maxTtlSeconds, ttlField ?? 'tier');
    if ('description' in body) next.description = checkDescription(body.description);
    if ('labels' in body) next.labels = checkLabels(body.labels);
    const now = deps.clock.now();
    // An exception already stored is not re-checked here: its expiry passing later must not
    // block unrelated edits such as a change of owner.
    if (body.bearerForbidden !== undefined) next.bearerForbidden = checkBearerForbidden(body.bearerForbidden);
    if ('staticException' in body) next.staticException = checkStaticException(body.staticException, next.tier, now);

    const changed: Record<string, { from: unknown; to: unknown }> = {};
    const before = identityAuditView(current);
    const after = identityAuditView(next);
    for (const f of MUTABLE) {
      const equal = f === 'labels' ? sameLabels(current.labels, next.labels) : same(current[f], next[f]);
      if (!equal) changed[f] = { from: before[f], to: after[f] };
    }
    // Nothing differs: no state change, so nothing to write or audit.
    if (Object.keys(changed).length === 0) return current;

    next.updatedAt = now;
    next.updatedBy = ctx.actor.id;
    deps.guardrail?.('identity.update', next, ctx);
    const updated = next;
    await deps.store.write(async (tx) => {
      updated.version = await deps.store.identities.update(tx, updated);
      tx.audit(ctx, { action: 'identity.update', outcome: 'success', target: updated.spiffeId, details: { id: updated.id, changed } });
    });
    return updated;
  });
}
