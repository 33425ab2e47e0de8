// The live list of exceptions a decision consults. Held in memory (decide() is synchronous and on
// the token hot path), reloaded after every change made through this server and every few seconds
// (changes made by another server sharing the database). Expiry is never cached: active(now)
// filters against the clock of the decision, so an exception stops applying the instant it expires.
import type { ExceptionRepo } from './exception-repo.ts';
import { isExceptionActive } from './exceptions-applying.ts';
import type { PolicyException } from './types.ts';

export interface ExceptionRuntime {
  /** Exceptions active at `now` (not revoked, not expired): the list decide() is given. */
  active(now: number): PolicyException[];
  /** Re-reads the store; called after each change. */
  reload(): Promise<void>;
  close(): void;
}

export const EXCEPTION_RELOAD_MS = 5_000;

export async function createExceptionRuntime(repo: ExceptionRepo, clock: { now(): number }, reloadMs = EXCEPTION_RELOAD_MS): Promise<ExceptionRuntime> {
  let list: PolicyException[] = [];
  let loading: Promise<void> | undefined;
  const reload = async () => {
    // Coalesce: one reload in flight at a time, and a change during it triggers a fresh one.
    const run = async () => { list = await repo.listActive(clock.now()); };
    const prev = loading;
    const next = (async () => { await prev?.catch(() => {}); await run(); })();
    loading = next;
    try { await next; } finally { if (loading === next) loading = undefined; }
  };
  await reload();
  const timer = setInterval(() => { reload().catch(() => { /* keep the last list; the next tick retries */ }); }, reloadMs);
  timer.unref();
  return {
    active: (now) => list.filter((e) => isExceptionActive(e, now)),
    reload,
    close: () => clearInterval(timer),
  };
}
