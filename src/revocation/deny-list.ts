import type { Logger } from 'pino';
import type { Clock } from '../shared/clock.ts';
import type { RevocationRepo } from './revocation-repo.ts';
import type { Revocation } from './types.ts';

/** What a presented credential is checked by. iat in seconds since the epoch (JWT). */
export interface RevocationCheck {
  jti?: string | undefined;
  sub?: string | undefined;
  iat?: number | undefined;
  staticKeyId?: string | undefined;
}

/**
 * The in-memory deny list every verification consults: no store round trip on the hot path.
 * Loaded at start, updated by the writer before it answers (so a revocation is in effect on
 * this server the moment it is acknowledged), and reloaded on a timer for the revocations other
 * servers sharing a PostgreSQL database write.
 */
export interface DenyList {
  isRevoked(c: RevocationCheck): boolean;
  /** True when a compact JWT (already verified by the caller) is revoked. */
  isTokenRevoked(token: string): boolean;
  /** Records a committed revocation. */
  add(r: Revocation): void;
  /** Loads every revocation committed since the last load; prunes expired entries. */
  reload(): Promise<void>;
  /** Reloads every intervalMs until close(). */
  startPolling(intervalMs: number): void;
  close(): void;
  /** Entries held (expired ones not pruned yet included). */
  size(): number;
}

const PAGE = 1000;
/**
 * iat is whole seconds, and a mint that read the identity just before the disabling commit may
 * sign a moment after revokedAt: tokens up to a second later are covered too. (The price: an
 * identity re-enabled within that second gets its first new token refused.)
 */
const CUTOFF_SLACK_MS = 1000;

export function createDenyList(deps: { repo: Pick<RevocationRepo, 'listSince'>; clock: Clock; logger?: Logger | undefined }): DenyList {
  const jtis = new Map<string, number>();                                       // jti → expiresAt
  const subjects = new Map<string, { revokedAt: number; expiresAt: number }>(); // SPIFFE ID → cut-off
  const staticKeys = new Map<string, number>();                                 // key id → expiresAt
  let lastSeq = 0;
  let timer: NodeJS.Timeout | undefined;
  let loading: Promise<void> | undefined;

  function add(r: Revocation): void {
    if (r.kind === 'jti') jtis.set(r.value, Math.max(jtis.get(r.value) ?? 0, r.expiresAt));
    else if (r.kind === 'static-key') staticKeys.set(r.value, Math.max(staticKeys.get(r.value) ?? 0, r.expiresAt));
    else {
      // A later revocation of the same identity moves the cut-off forward and keeps it longer.
      const prev = subjects.get(r.value);
      subjects.set(r.value, prev
        ? { revokedAt: Math.max(prev.revokedAt, r.revokedAt), expiresAt: Math.max(prev.expiresAt, r.expiresAt) }
        : { revokedAt: r.revokedAt, expiresAt: r.expiresAt });
    }
  }

  function prune(now: number): void {
    for (const [k, exp] of jtis) if (exp <= now) jtis.delete(k);
    for (const [k, exp] of staticKeys) if (exp <= now) staticKeys.delete(k);
    for (const [k, v] of subjects) if (v.expiresAt <= now) subjects.delete(k);
  }

  function isRevoked(c: RevocationCheck): boolean {
    const now = deps.clock.now();
    if (c.jti !== undefined) {
      const exp = jtis.get(c.jti);
      if (exp !== undefined && exp > now) return true;
    }
    if (c.staticKeyId !== undefined) {
      const exp = staticKeys.get(c.staticKeyId);
      if (exp !== undefined && exp > now) return true;
    }
    if (c.sub !== undefined) {
      const s = subjects.get(c.sub);
      // Every token of the identity issued at or before the revocation is revoked; a token
      // without iat cannot prove it came later.
      if (s !== undefined && s.expiresAt > now && (c.iat === undefined || c.iat * 1000 <= s.revokedAt + CUTOFF_SLACK_MS)) return true;
    }
    return false;
  }

  const reload = (): Promise<void> => (loading ??= load().finally(() => { loading = undefined; }));

  async function load(): Promise<void> {
    const now = deps.clock.now();
    for (;;) {
      const page = await deps.repo.listSince(lastSeq, now, PAGE);
      for (const r of page) { add(r); lastSeq = Math.max(lastSeq, r.seq); }
      if (page.length < PAGE) break;
    }
    prune(now);
  }

  return {
    isRevoked,
    isTokenRevoked(token) {
      // Nothing revoked (the usual case): no decoding at all on the request path.
      if (jtis.size === 0 && subjects.size === 0) return false;
      const payload = token.split('.')[1];
      if (payload === undefined) return false;
      let claims: Record<string, unknown>;
      try {
        claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
      } catch {
        return false;
      }
      if (claims === null || typeof claims !== 'object') return false;
      return isRevoked({
        jti: typeof claims.jti === 'string' ? claims.jti : undefined,
        sub: typeof claims.sub === 'string' ? claims.sub : undefined,
        iat: typeof claims.iat === 'number' ? claims.iat : undefined,
      });
    },
    add,
    // Concurrent callers share one load, so two pages are never applied out of order.
    reload,
    startPolling(intervalMs) {
      if (timer) return;
      timer = setInterval(() => {
        reload().catch((e: unknown) => deps.logger?.warn({ err: e }, 'could not reload revocations; retrying'));
      }, intervalMs);
      // Never the reason the process stays up.
      timer.unref();
    },
    close() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
    size: () => jtis.size + subjects.size + staticKeys.size,
  };
}
