import { exceptionStatus } from './exceptions-applying.ts';
import type { PolicyException } from './types.ts';

export interface ExceptionDebt {
  active: number;
  expired: number;
  revoked: number;
  /** Age of the oldest active exception, seconds (0 when there is none). */
  oldestAgeSeconds: number;
  /** Active exceptions per policy and per owner: where the debt is, and whose it is. */
  byPolicy: Record<string, number>;
  byOwner: Record<string, number>;
}

/** Exception debt at `now`: a pure summary of the list. */
export function exceptionDebt(list: readonly PolicyException[], now: number): ExceptionDebt {
  const d: ExceptionDebt = { active: 0, expired: 0, revoked: 0, oldestAgeSeconds: 0, byPolicy: {}, byOwner: {} };
  for (const e of list) {
    const s = exceptionStatus(e, now);
    d[s]++;
    if (s !== 'active') continue;
    d.oldestAgeSeconds = Math.max(d.oldestAgeSeconds, Math.floor((now - e.createdAt) / 1000));
    d.byPolicy[e.policy] = (d.byPolicy[e.policy] ?? 0) + 1;
    d.byOwner[e.owner] = (d.byOwner[e.owner] ?? 0) + 1;
  }
  return d;
}
