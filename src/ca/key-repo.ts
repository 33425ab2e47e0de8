import type { JsonWebKey } from 'node:crypto';
import type { Tx } from '../shared/tx.ts';

export type KeyPurpose = 'jwt' | 'x509-ca';
export type KeyStatus = 'prepared' | 'active' | 'retired';

/** A signing key as stored: the private key is AES-256-GCM ciphertext under the KEK. */
export interface StoredKey {
  kid: string;
  purpose: KeyPurpose;
  alg: string;
  publicJwk: JsonWebKey;
  privateKeyEnc: string;
  status: KeyStatus;
  createdAt: number;
  activatedAt: number | null;
  retiredAt: number | null;
}

export interface KeyRepo {
  list(purpose?: KeyPurpose): Promise<StoredKey[]>;
  insert(tx: Tx, key: StoredKey): Promise<void>;
  setStatus(tx: Tx, kid: string, status: KeyStatus, at: number): Promise<boolean>;
}
