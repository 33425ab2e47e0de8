import type { Tx } from '../../shared/tx.ts';
import type { JoinToken } from './types.ts';

/** What join tokens need from the store. */
export interface JoinTokenRepo {
  getByHash(hash: string): Promise<JoinToken | undefined>;
  /** Newest first is not needed: keyset pagination in id (creation) order. */
  list(filter: { identityId?: string | undefined }, page: { limit: number; cursor?: string | undefined }): Promise<JoinToken[]>;
  insert(tx: Tx, token: JoinToken): Promise<void>;
  /**
   * Marks the token used if, and only if, it is unused and unexpired at `now`: one conditional
   * UPDATE, so of two concurrent redemptions exactly one gets true.
   */
  consume(tx: Tx, hash: string, now: number): Promise<boolean>;
}
