import type { JsonWebKey } from 'node:crypto';
import type { Tx } from '../shared/tx.ts';

export type KeyPurpose = 'jwt' | 'x509-ca';
export type KeyStatus = 'prepared' | 'active' | 'retired';

/**
 * A signing key as stored: the private key is AES-256-GCM ciphertext under the KEK (emptied once
 * the key is retired: a retired key never signs again). The optional members are present only
 * when set: X.509 CA keys have their certificate and validity, retired keys their publish_until.
 */
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
  /** X.509 CA: the certificate's validity, epoch ms. */
  notBefore?: number | undefined;
  notAfter?: number | undefined;
  /** Retired keys: published (JWKS, bundle) until then, epoch ms; afterwards dropped. */
  publishUntil?: number | undefined;
  /** X.509 CA: the certificate (DER). */
  certDer?: Buffer | undefined;
  /** X.509 CA: certificates above it up to and including the trust anchor; empty when self-signed. */
  chainDer?: Buffer[] | undefined;
}

export interface KeyRepo {
  list(purpose?: KeyPurpose): Promise<StoredKey[]>;
  /** Inserts a key; ERR_CONFLICT when the kid exists or it is a second active key for its purpose. */
  insert(tx: Tx, key: StoredKey): Promise<void>;
  setStatus(tx: Tx, kid: string, status: KeyStatus, at: number): Promise<boolean>;
  /**
   * Inserts a prepared key unless its purpose already has one (false then). Several servers
   * sharing a database may try at once: exactly one of them succeeds.
   */
  prepare(tx: Tx, key: StoredKey): Promise<boolean>;
  /** prepared → active, only if the key is still prepared (compare-and-set); false otherwise. */
  activate(tx: Tx, kid: string, at: number): Promise<boolean>;
  /**
   * active → retired (or, with from = 'prepared', a prepared key withdrawn before it signed),
   * only if the key still has that status (compare-and-set); false otherwise. The private key
   * is erased: a retired key never signs again.
   */
  retire(tx: Tx, kid: string, at: number, publishUntil: number, from?: 'active' | 'prepared'): Promise<boolean>;
}
