import type { Tx } from '../../shared/tx.ts';
import type { PolicyException } from './types.ts';

/** What exceptions need from the store. */
export interface ExceptionRepo {
  get(name: string): Promise<PolicyException | undefined>;
  /** Every exception, oldest first (the list is small: each one is debt someone owns). */
  list(filter?: { policy?: string | undefined }): Promise<PolicyException[]>;
  /** Not revoked and not expired at `now`. */
  listActive(now: number): Promise<PolicyException[]>;
  /** False (and nothing written) when the name is taken. */
  insert(tx: Tx, e: PolicyException): Promise<boolean>;
  /** Revokes it if, and only if, it is not revoked yet; true when this call revoked it. */
  revoke(tx: Tx, name: string, at: number, by: string): Promise<boolean>;
}
