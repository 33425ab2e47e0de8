import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../../shared/clock.ts';
import type { UnitOfWork } from '../../shared/tx.ts';
import type { DpopProofRepo } from './dpop-proof-repo.ts';

/** How often expired proof records are deleted from the shared store. */
export const DPOP_PRUNE_EVERY_MS = 60_000;

/** The part of the store the shared replay check uses. */
export interface DpopProofStore extends UnitOfWork {
  readonly dialect: string;
  readonly dpopProofs: DpopProofRepo;
}

/** Used proofs remembered in the store every server of a deployment shares. */
export interface SharedReplay {
  /** Records the proof until expiresAt (epoch ms); false when any server has seen it already. */
  remember(jkt: string, jti: string, expiresAt: number): Promise<boolean>;
  /** Deletes expired records now; returns how many. */
  prune(): Promise<number>;
  /** Stops the pruning timer. */
  close(): void;
}

/**
 * What is stored for a proof: the SHA-256 of its key thumbprint and jti. A thumbprint is base64url,
 * so the space cannot occur in it and two different pairs never make one input.
 */
export function dpopProofHash(jkt: string, jti: string): string {
  return createHash('sha256').update(`${jkt} ${jti}`, 'utf8').digest('base64url');
}

/**
 * The replay check across servers. Each record is one write through store.write, so at load it
 * rides in the group commit with every other write of the moment rather than costing a commit of
 * its own. Expired records are pruned on a timer that never keeps the process alive.
 */
export function createSharedReplay(deps: { store: DpopProofStore; clock: Clock; logger?: Pick<Logger, 'warn'> | undefined; pruneEveryMs?: number | undefined }): SharedReplay {
  const { store, clock } = deps;
  const prune = () => store.write((tx) => store.dpopProofs.prune(tx, clock.now()));
  let timer: NodeJS.Timeout | undefined = setInterval(() => {
    prune().catch((e: unknown) => deps.logger?.warn({ err: e }, 'could not prune used DPoP proofs; retrying later'));
  }, deps.pruneEveryMs ?? DPOP_PRUNE_EVERY_MS);
  timer.unref();
  return {
    remember: (jkt, jti, expiresAt) => store.write((tx) => store.dpopProofs.remember(tx, dpopProofHash(jkt, jti), expiresAt)),
    prune,
    close() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
}
