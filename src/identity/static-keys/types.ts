/** A static API key as stored: never the key itself, only its SHA-256 and its last 4 characters. */
export interface StaticKey {
  id: string;
  identityId: string;
  /** hex SHA-256 of the whole key */
  hash: string;
  /** the key's last 4 characters, so people can tell their keys apart */
  last4: string;
  owner: string;
  createdAt: number;
  createdBy: string;
  expiresAt: number;
  revokedAt: number | null;
}

export type StaticKeyStatus = 'active' | 'expired' | 'revoked';
