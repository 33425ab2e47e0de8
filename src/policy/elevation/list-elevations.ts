import { invalid } from '../../shared/errors.ts';
import type { ElevationRepo } from './elevation-repo.ts';
import { elevationStatus, type Elevation } from './types.ts';

export const ELEVATION_STATUSES = ['requested', 'approved', 'denied', 'revoked', 'expired'] as const;
export const ELEVATION_LIST_MAX = 500;

/** Newest first; status is computed against `now` (approved past its window is expired). */
export async function listElevations(repo: ElevationRepo, q: { subject?: string | undefined; status?: string | undefined; limit?: number | undefined }, now: number): Promise<Elevation[]> {
  const limit = q.limit ?? 100;
  if (!Number.isInteger(limit) || limit < 1 || limit > ELEVATION_LIST_MAX) throw invalid('limit', `must be between 1 and ${ELEVATION_LIST_MAX}`);
  if (q.status !== undefined && !(ELEVATION_STATUSES as readonly string[]).includes(q.status)) throw invalid('status', `must be one of ${ELEVATION_STATUSES.join(', ')}`);
  const stored = q.status === 'expired' ? 'approved' : q.status;
  const rows = await repo.list({ subject: q.subject, state: stored }, limit);
  return q.status === undefined ? rows : rows.filter((e) => elevationStatus(e, now) === q.status);
}
