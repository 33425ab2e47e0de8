import type { Identity } from './types.ts';

/** The fields of an identity recorded in audit event details (times as ISO-8601 text). */
export function identityAuditView(i: Identity): Record<string, unknown> {
  return {
    id: i.id, owner: i.owner, environment: i.environment, tier: i.tier, maxTtlSeconds: i.maxTtlSeconds,
    description: i.description, labels: i.labels,
    staticException: i.staticException
      ? { reason: i.staticException.reason, expiresAt: new Date(i.staticException.expiresAt).toISOString() }
      : null,
    bearerForbidden: i.bearerForbidden,
  };
}
