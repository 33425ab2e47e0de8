import type { Clock } from '../../shared/clock.ts';
import { createNonceSource } from './nonce-source.ts';
import { createReplayCache } from './replay-cache.ts';
import { DPOP_DEFAULTS, type DpopOptions, type DpopRuntime } from './types.ts';
import { verifyDpopProof } from './verify-dpop-proof.ts';

/** The replay cache and nonce source a server keeps for its whole life (built in src/main). */
export function createDpopRuntime(clock: Clock, options: Partial<DpopOptions> = {}): DpopRuntime {
  const opts: DpopOptions = { ...DPOP_DEFAULTS, ...options };
  const replay = createReplayCache(clock, opts.replayCacheMax);
  const nonces = createNonceSource(clock, opts.nonceWindowSeconds);
  const runtime: DpopRuntime = {
    options: opts, replay, nonces,
    verify: (input) => verifyDpopProof({ clock, dpop: runtime }, input),
  };
  return runtime;
}
