// Identities by SPIFFE ID, kept in memory for the token hot path (every exchange looks its
// subject up, often twice). A disabled, changed or deleted identity must never keep getting
// tokens from here, so:
// - every committed audit event that may have changed an identity (anything but the issuance
//   and read events listed below) empties the cache before the change is acknowledged (the
//   store calls its audit listeners after the commit and before it answers the writer);
// - a read that raced such a change is not kept (a generation counter), so a row read just
//   before a commit cannot be stored just after the invalidation;
// - a change made by another server sharing the database is seen within IDENTITY_CACHE_TTL_MS,
//   the same bound the trust-source and exception runtimes already use.
// Misses are not cached: a made-up SPIFFE ID costs a read each time, as before.
import type { Clock } from '../shared/clock.ts';
import type { IdentityRepo } from './identity-repo.ts';
import type { Identity } from './types.ts';

export const IDENTITY_CACHE_TTL_MS = 5_000;
/** Entries kept at most; the map is emptied when it grows past this (a flood of identities). */
export const IDENTITY_CACHE_MAX = 10_000;

/**
 * Audit actions that change no registry state (identities, elevations): token issuance,
 * exchange, introspection, authentication failures and admission reviews. Any other action
 * empties the caches that listen for changes.
 */
export const STATELESS_ACTIONS: ReadonlySet<string> = new Set([
  'token.exchange', 'token.issue', 'token.introspect', 'token.denied',
  'svid.jwt.mint', 'svid.x509.issue', 'auth.failed', 'auth.forbidden', 'auth.rate-limited', 'admission.review',
]);

/** True when a committed batch holds an event other than issuance, reads and refusals. */
export function mayChangeState(events: readonly { action: string }[]): boolean {
  return events.some((e) => !STATELESS_ACTIONS.has(e.action));
}

export interface IdentityCache extends Pick<IdentityRepo, 'get' | 'getBySpiffeId'> {
  /** Forgets every entry (an identity changed). */
  invalidate(): void;
  /** The store's audit listener: empties the cache when a committed event may have changed an identity. */
  onAudit(events: readonly { action: string }[]): void;
}

export interface IdentityCacheOptions {
  ttlMs?: number | undefined;
  max?: number | undefined;
}

export function createIdentityCache(repo: Pick<IdentityRepo, 'get' | 'getBySpiffeId'>, clock: Clock, opts: IdentityCacheOptions = {}): IdentityCache {
  const ttlMs = opts.ttlMs ?? IDENTITY_CACHE_TTL_MS;
  const max = opts.max ?? IDENTITY_CACHE_MAX;
  const bySpiffeId = new Map<string, { identity: Identity; at: number }>();
  let generation = 0;

  const invalidate = () => { generation++; bySpiffeId.clear(); };

  return {
    // By id is not on the hot path: always read.
    get: (id) => repo.get(id),
    async getBySpiffeId(spiffeId) {
      const now = clock.now();
      const hit = bySpiffeId.get(spiffeId);
      if (hit && now - hit.at < ttlMs && now >= hit.at) return hit.identity;
      const gen = generation;
      const identity = await repo.getBySpiffeId(spiffeId);
      if (!identity) { bySpiffeId.delete(spiffeId); return undefined; }
      // Shared between requests: nobody may edit what the next exchange will read.
      Object.freeze(identity.labels);
      Object.freeze(identity);
      if (gen === generation) {
        if (bySpiffeId.size >= max) bySpiffeId.clear();
        bySpiffeId.set(spiffeId, { identity, at: now });
      }
      return identity;
    },
    invalidate,
    onAudit(events) {
      if (mayChangeState(events)) invalidate();
    },
  };
}
