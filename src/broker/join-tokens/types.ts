/** A join token as stored: never the token itself, only its SHA-256. Times in epoch ms. */
export interface JoinToken {
  id: string;
  identityId: string;
  hash: string;
  createdAt: number;
  createdBy: string;
  expiresAt: number;
  usedAt: number | null;
}

export type JoinTokenStatus = 'active' | 'used' | 'expired';

export function joinTokenStatus(t: JoinToken, now: number): JoinTokenStatus {
  if (t.usedAt !== null) return 'used';
  return t.expiresAt <= now ? 'expired' : 'active';
}
