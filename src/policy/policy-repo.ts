import type { Tx } from '../shared/tx.ts';
import type { PolicyDefinition } from './types.ts';

/** A policy stored through /v1/policies. */
export interface StoredPolicy {
  definition: PolicyDefinition;
  createdAt: number;
  createdBy: string;
  updatedAt: number;
  updatedBy: string;
}

/** What the policy engine needs from the store. Writes take the unit of work's Tx. */
export interface PolicyRepo {
  list(): Promise<StoredPolicy[]>;
  get(name: string): Promise<StoredPolicy | undefined>;
  /** Inserts, or replaces the document of the policy with this name (keeping its creation). */
  put(tx: Tx, policy: StoredPolicy): Promise<void>;
  delete(tx: Tx, name: string): Promise<boolean>;
}
