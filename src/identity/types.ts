/** Tiers: 1 = customer data / production infra / artifact publishing, 2 = non-production privileged, 3 = low-risk. */
export type Tier = 1 | 2 | 3;

/** A static-credential exception: an identity allowed to hold a long-lived secret until expiresAt. */
export interface StaticCredentialException {
  reason: string;
  expiresAt: number; // epoch ms
}

export interface Identity {
  id: string;
  spiffeId: string;
  owner: string;
  environment: string;
  tier: Tier;
  maxTtlSeconds: number;
  description: string;
  labels: Record<string, string>;
  staticException: StaticCredentialException | null;
  /** Only sender-constrained tokens (DPoP `cnf.jkt` or mTLS `cnf.x5t#S256`) may be issued to it. */
  bearerForbidden: boolean;
  createdAt: number;
  createdBy: string;
  updatedAt: number;
  updatedBy: string;
  disabledAt: number | null;
  disabledBy: string | null;
  /** Bumped by every change; a change made from an older version is refused (ERR_CONFLICT). */
  version: number;
}

export interface IdentityFilter {
  owner?: string | undefined;
  environment?: string | undefined;
  tier?: Tier | undefined;
  /** every label given must match exactly */
  labels?: Record<string, string> | undefined;
  /** include disabled identities (default true) */
  includeDisabled?: boolean | undefined;
}

export interface Page<T> {
  items: T[];
  /** pass as `cursor` to get the next page; absent on the last page */
  nextCursor?: string | undefined;
}
