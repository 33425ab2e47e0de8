import type { Tx } from '../../shared/tx.ts';
import type { StaticKey } from './types.ts';

/** What static keys need from the store. */
export interface StaticKeyRepo {
  get(id: string): Promise<StaticKey | undefined>;
  getByHash(hash: string): Promise<StaticKey | undefined>;
  /** Every key of an identity, newest first. */
  listByIdentity(identityId: string, limit: number): Promise<StaticKey[]>;
  insert(tx: Tx, key: StaticKey): Promise<void>;
  /** Marks a key revoked; false when it was already revoked (the first revocation time stays). */
  setRevoked(tx: Tx, id: string, at: number): Promise<boolean>;
}
