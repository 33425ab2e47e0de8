import type { Tx } from '../../shared/tx.ts';

/** What DPoP replay protection needs from a store shared by several servers. */
export interface DpopProofRepo {
  /**
   * Records a used proof (by its hash) until expiresAt (epoch ms), inside the caller's unit of
   * work; false when it was already recorded (by this server or another): a replay.
   */
  remember(tx: Tx, proofHash: string, expiresAt: number): Promise<boolean>;
  /** Deletes the records whose proofs could no longer be accepted anyway; returns how many. */
  prune(tx: Tx, now: number): Promise<number>;
}
