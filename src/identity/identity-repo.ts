import type { Tx } from '../shared/tx.ts';
import type { Identity, IdentityFilter, Page } from './types.ts';

/** What the identity registry needs from the store. Writes take the unit of work's Tx. */
export interface IdentityRepo {
  get(id: string): Promise<Identity | undefined>;
  getBySpiffeId(spiffeId: string): Promise<Identity | undefined>;
  /** Keyset pagination in id (creation) order; cursor is the last id of the previous page. */
  list(filter: IdentityFilter, page: { limit: number; cursor?: string | undefined }): Promise<Page<Identity>>;
  count(): Promise<number>;
  /** Throws TesseraError ERR_CONFLICT when the SPIFFE ID is already registered. */
  insert(tx: Tx, identity: Identity): Promise<void>;
  /**
   * Replaces every mutable field of the identity with this id, if its stored version is still
   * identity.version (else ERR_CONFLICT, nothing written); returns the new version.
   */
  update(tx: Tx, identity: Identity): Promise<number>;
  /** Disables it now whatever its version (revocation must not lose to a concurrent edit); false if already disabled. */
  markDisabled(tx: Tx, id: string, at: number, by: string): Promise<boolean>;
  delete(tx: Tx, id: string): Promise<boolean>;
}
