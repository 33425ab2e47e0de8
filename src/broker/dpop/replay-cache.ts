import { TesseraError } from '../../shared/errors.ts';
import type { Clock } from '../../shared/clock.ts';
import type { ReplayCache } from './types.ts';

const SWEEP_EVERY_MS = 10_000;

/**
 * An in-memory set of recently used proof ids with expiry. Memory is bounded: when it is full of
 * entries that have not expired, new proofs are refused rather than old entries dropped, because
 * forgetting an entry early would let that proof be replayed.
 */
export function createReplayCache(clock: Clock, max: number): ReplayCache {
  const seen = new Map<string, number>();
  let lastSweep = clock.now();
  const sweep = (now: number) => {
    lastSweep = now;
    for (const [k, exp] of seen) if (exp <= now) seen.delete(k);
  };
  return {
    add(key, expiresAt) {
      const now = clock.now();
      if (now - lastSweep >= SWEEP_EVERY_MS) sweep(now);
      const known = seen.get(key);
      if (known !== undefined && known > now) return false;
      if (seen.size >= max) {
        sweep(now);
        if (seen.size >= max) {
          throw new TesseraError('ERR_INVALID_DPOP_PROOF', 'DPoP proof refused: too many recent proofs to remember; retry shortly',
            { rule: 'replay cache capacity' });
        }
      }
      seen.set(key, expiresAt);
      return true;
    },
    get size() { return seen.size; },
  };
}
