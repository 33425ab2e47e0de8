// Just-in-time elevation: a grant for one subject, for a window that opens at approval.

/** Exactly one of role or audience. */
export interface ElevationGrant {
  role?: string | undefined;
  audience?: string | undefined;
}

/** Stored states; "expired" is computed (approved and past expiresAt). */
export type ElevationState = 'requested' | 'approved' | 'denied' | 'revoked';
export type ElevationStatus = ElevationState | 'expired';

export interface Elevation {
  id: string;
  /** A SPIFFE ID or a principal id. */
  subject: string;
  grant: ElevationGrant;
  durationSeconds: number;
  reason: string;
  state: ElevationState;
  requestedBy: string;
  requestedAt: number;
  decidedBy: string | null;
  decidedAt: number | null;
  decisionReason: string | null;
  /** The window, set at approval. */
  startsAt: number | null;
  expiresAt: number | null;
  revokedAt: number | null;
  revokedBy: string | null;
}

/** The seam: what decide() sees in context.elevations. */
export interface ActiveElevation {
  role?: string;
  audience?: string;
  expiresAt: number;
}

export function elevationStatus(e: Elevation, now: number): ElevationStatus {
  if (e.state === 'approved' && e.expiresAt !== null && now >= e.expiresAt) return 'expired';
  return e.state;
}

/** Inside its window at `now`: approved, started, not expired, not revoked. */
export function isElevationActive(e: Elevation, now: number): boolean {
  return e.state === 'approved' && e.startsAt !== null && e.expiresAt !== null && now >= e.startsAt && now < e.expiresAt;
}

export function toActiveElevation(e: Elevation): ActiveElevation {
  return {
    ...(e.grant.role !== undefined ? { role: e.grant.role } : {}),
    ...(e.grant.audience !== undefined ? { audience: e.grant.audience } : {}),
    expiresAt: e.expiresAt!,
  };
}
