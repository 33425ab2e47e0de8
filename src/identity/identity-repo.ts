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
  /** Replaces every mutable field of the identity with this id. */
  update(tx: Tx, identity: Identity): Promise<void>;
  delete(tx: Tx, id: string): Promise<boolean>;
}
