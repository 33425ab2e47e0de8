/** What a revocation names: one token (by jti), every token of an identity, or one static key. */
export type RevocationKind = 'jti' | 'identity' | 'static-key';
export const REVOCATION_KINDS: readonly RevocationKind[] = ['jti', 'identity', 'static-key'];

export interface Revocation {
  /** Position in the deny-list feed: increases in commit order, across servers sharing a database. */
  seq: number;
  id: string;
  kind: RevocationKind;
  /** the jti, the SPIFFE ID, or the static key's id */
  value: string;
  reason: string;
  /** when the credential was reported or detected (epoch ms): detection → revocation is the MTTR */
  detectedAt: number;
  revokedAt: number;
  /** kept until then: every credential it revokes has expired by this time */
  expiresAt: number;
  revokedBy: string;
}

export type NewRevocation = Omit<Revocation, 'seq'>;
