import type { JsonWebKey } from 'node:crypto';
import type { Role } from '../shared/context.ts';
import type { Tx } from '../shared/tx.ts';

/** Someone or something that may obtain access tokens by signing an RFC 7523 assertion. */
export interface Principal {
  id: string;
  roles: Role[];
  publicJwk: JsonWebKey;
  jwkThumbprint: string;
  description: string;
  createdAt: number;
  createdBy: string;
  disabledAt: number | null;
}

export interface PrincipalRepo {
  get(id: string): Promise<Principal | undefined>;
  list(): Promise<Principal[]>;
  insert(tx: Tx, p: Principal): Promise<void>;
  setDisabled(tx: Tx, id: string, at: number | null): Promise<boolean>;
  /**
   * Disables an enabled principal unless it is the last enabled administrator, decided inside the
   * transaction (two administrators disabling each other at once cannot both succeed).
   */
  disableUnlessLastAdmin(tx: Tx, id: string, at: number): Promise<'disabled' | 'last-admin' | 'unchanged'>;
  /** Records an assertion id; false when it was already used (a replay). */
  useAssertionId(tx: Tx, jti: string, expiresAt: number): Promise<boolean>;
  pruneAssertionIds(tx: Tx, now: number): Promise<number>;
}
