import type { Tx } from '../../shared/tx.ts';
import type { TrustSource } from './types.ts';

/** What trust sources need from the store. Writes take the unit of work's Tx. */
export interface TrustSourceRepo {
  get(name: string): Promise<TrustSource | undefined>;
  getByIssuer(issuer: string): Promise<TrustSource | undefined>;
  list(): Promise<TrustSource[]>;
  /** Throws ERR_CONFLICT when the name or the issuer is already used by another source. */
  insert(tx: Tx, source: TrustSource): Promise<void>;
  /** Replaces every mutable field of the source with this id. */
  update(tx: Tx, source: TrustSource): Promise<void>;
  delete(tx: Tx, id: string): Promise<boolean>;
}
