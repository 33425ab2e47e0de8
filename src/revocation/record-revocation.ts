import type { Identity } from '../identity/index.ts';
import type { StaticKey } from '../identity/static-keys/index.ts';
import type { RequestContext } from '../shared/context.ts';
import { uuidv7 } from '../shared/ids.ts';
import type { RevocationDeps } from './operation.ts';
import type { NewRevocation, Revocation } from './types.ts';

/** What is being revoked, already looked up and checked. */
export type RevocationTarget =
  | { kind: 'jti'; jti: string; /** epoch ms; unknown for a bare jti */ expiresAt?: number | undefined; sub?: string | undefined }
  | { kind: 'identity'; identity: Identity }
  | { kind: 'static-key'; key: StaticKey; spiffeId?: string | undefined };

export interface RevocationMeta {
  reason: string;
  detectedAt: number;
  /** how the revocation came in: the admin API (and CLI) or RFC 7009 */
  via: 'api' | 'oauth2.revoke' | 'scan-report';
}

const iso = (t: number) => new Date(t).toISOString();

/**
 * Writes one revocation and its side effects in one transaction, with its audit events: an
 * identity is disabled (no new issuance from this commit on), a static key is marked revoked.
 * Resolves after the commit is durable and the local deny list has it, so the revocation is in
 * force on this server before anyone is told it happened.
 */
export async function recordRevocation(deps: RevocationDeps, ctx: RequestContext, target: RevocationTarget, meta: RevocationMeta): Promise<Revocation> {
  const now = deps.clock.now();
  const maxTtlMs = deps.maxTokenTtlSeconds * 1000;
  const base = { id: uuidv7(now), reason: meta.reason, detectedAt: meta.detectedAt, revokedAt: now, revokedBy: ctx.actor.id };
  let fresh: NewRevocation;
  let auditTarget: string;
  if (target.kind === 'jti') {
    fresh = { ...base, kind: 'jti', value: target.jti, expiresAt: target.expiresAt ?? now + maxTtlMs };
    auditTarget = target.sub ?? target.jti;
  } else if (target.kind === 'identity') {
    // Every token the identity holds was issued at or before now and lives at most maxTtl.
    fresh = { ...base, kind: 'identity', value: target.identity.spiffeId, expiresAt: now + maxTtlMs };
    auditTarget = target.identity.spiffeId;
  } else {
    fresh = { ...base, kind: 'static-key', value: target.key.id, expiresAt: target.key.expiresAt };
    auditTarget = target.spiffeId ?? target.key.id;
  }

  const saved = await deps.store.write(async (tx) => {
    // Revocations are rare: pruning the expired ones here keeps the table (and the feed) small.
    await deps.store.revocations.prune(tx, now);
    if (target.kind === 'identity' && target.identity.disabledAt === null) {
      const i = target.identity;
      if (await deps.store.identities.markDisabled(tx, i.id, now, ctx.actor.id)) {
        tx.audit(ctx, { action: 'identity.disable', outcome: 'success', target: i.spiffeId, details: { id: i.id, revocationId: fresh.id } });
      }
    }
    if (target.kind === 'static-key') {
      const k = target.key;
      if (await deps.store.staticKeys.setRevoked(tx, k.id, now)) {
        tx.audit(ctx, { action: 'static-key.revoke', outcome: 'success', target: auditTarget, details: { id: k.id, identityId: k.identityId, last4: k.last4, revocationId: fresh.id } });
      }
    }
    const r = await deps.store.revocations.insert(tx, fresh);
    tx.audit(ctx, {
      action: 'revocation.create', outcome: 'success', target: auditTarget,
      details: {
        id: r.id, kind: r.kind, value: r.value, reason: r.reason, via: meta.via,
        detectedAt: iso(r.detectedAt), revokedAt: iso(r.revokedAt), expiresAt: iso(r.expiresAt),
      },
    });
    return r;
  });
  deps.denyList.add(saved);
  return saved;
}
