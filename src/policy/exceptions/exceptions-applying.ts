// Pure: the same answer live (the server's decision) and offline (`tessera policy check
// --exceptions FILE`). Time is an argument, compared at every call: an exception stops applying
// the instant it expires, whatever any caller cached.
import { globMatch } from './glob.ts';
import type { ActiveException, ExceptionStatus, ExceptionTarget } from './types.ts';

export function isExceptionActive(e: ActiveException, now: number): boolean {
  return (e.revokedAt === undefined || e.revokedAt === null) && now < e.expiresAt;
}

export function exceptionStatus(e: ActiveException, now: number): ExceptionStatus {
  if (e.revokedAt !== undefined && e.revokedAt !== null) return 'revoked';
  return now < e.expiresAt ? 'active' : 'expired';
}

const SCOPE_KEYS = ['identity', 'namespace', 'kind', 'name'] as const;

/** Every key the scope names must match the target; a scope naming nothing matches nothing. */
export function scopeMatches(scope: ActiveException['scope'], target: ExceptionTarget): boolean {
  let named = 0;
  for (const k of SCOPE_KEYS) {
    const want = scope[k];
    if (want === undefined) continue;
    named++;
    const have = target[k];
    if (have === undefined || !globMatch(want, have)) return false;
  }
  return named > 0;
}

/** The active exceptions to `policy` that cover `target` at `now`. */
export function exceptionsApplying<E extends ActiveException>(
  list: readonly E[], q: { policy: string; target: ExceptionTarget }, now: number,
): E[] {
  return list.filter((e) => e.policy === q.policy && isExceptionActive(e, now) && scopeMatches(e.scope, q.target));
}
