import type { Logger } from 'pino';
import type { Clock } from '../../shared/clock.ts';
import { createNonceSource } from './nonce-source.ts';
import { createReplayCache } from './replay-cache.ts';
import { createSharedReplay, type DpopProofStore } from './shared-replay.ts';
import { DPOP_DEFAULTS, type DpopOptions, type DpopRuntime } from './types.ts';
import { verifyDpopProof } from './verify-dpop-proof.ts';

export interface DpopSharing {
  /** The server's store: used only when it is PostgreSQL. */
  store: DpopProofStore;
  logger?: Pick<Logger, 'warn'> | undefined;
  pruneEveryMs?: number | undefined;
}

/**
 * The replay cache and nonce source a server keeps for its whole life (built in src/main). With
 * a PostgreSQL store, which several servers may share, used proofs are also recorded there; an
 * embedded SQLite store belongs to one server only (its data folder is locked), so memory is
 * exact and no request pays for an extra write.
 */
export function createDpopRuntime(clock: Clock, options: Partial<DpopOptions> = {}, sharing?: DpopSharing): DpopRuntime {
  const opts: DpopOptions = { ...DPOP_DEFAULTS, ...options };
  const replay = createReplayCache(clock, opts.replayCacheMax);
  const nonces = createNonceSource(clock, opts.nonceWindowSeconds);
  const shared = sharing?.store.dialect === 'postgres'
    ? createSharedReplay({ store: sharing.store, clock, logger: sharing.logger, pruneEveryMs: sharing.pruneEveryMs })
    : undefined;
  const runtime: DpopRuntime = {
    options: opts, replay, nonces, shared,
    verify: (input) => verifyDpopProof({ clock, dpop: runtime }, input),
    close() { shared?.close(); },
  };
  return runtime;
}
