import type { Tx } from '../shared/tx.ts';
import type { NewRevocation, Revocation, RevocationKind } from './types.ts';

/** What revocation needs from the store. */
export interface RevocationRepo {
  /** Stores a revocation and gives it the next feed sequence number. */
  insert(tx: Tx, r: NewRevocation): Promise<Revocation>;
  /** Unexpired revocations after `afterSeq`, in sequence order. */
  listSince(afterSeq: number, now: number, limit: number): Promise<Revocation[]>;
  /** The newest unexpired revocation of this kind and value, if any. */
  findActive(kind: RevocationKind, value: string, now: number): Promise<Revocation | undefined>;
  /** The highest sequence number handed out so far (0 when none). */
  headSeq(): Promise<number>;
  /** Deletes revocations whose expiry has passed; returns how many. */
  prune(tx: Tx, now: number): Promise<number>;
}
