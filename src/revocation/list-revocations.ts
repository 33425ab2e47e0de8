import { invalid } from '../shared/errors.ts';
import type { Clock } from '../shared/clock.ts';
import type { RevocationRepo } from './revocation-repo.ts';
import type { Revocation } from './types.ts';

export const FEED_LIMIT_DEFAULT = 500;
export const FEED_LIMIT_MAX = 1000;

export interface RevocationFeedPage {
  items: Revocation[];
  /** Pass back as `since` to get only what is newer. Always present: a feed is polled. */
  nextCursor: string;
  /** true when more revocations are ready now (fetch again at once with nextCursor) */
  more: boolean;
}

function checkCursor(value: unknown): number {
  if (value === undefined || value === null || value === '') return 0;
  const text = String(value);
  if (!/^\d{1,15}$/.test(text)) throw invalid('since', 'must be a cursor returned as nextCursor by this endpoint');
  return Number(text);
}

function checkLimit(value: unknown): number {
  if (value === undefined || value === null) return FEED_LIMIT_DEFAULT;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > FEED_LIMIT_MAX) throw invalid('limit', `must be a whole number from 1 to ${FEED_LIMIT_MAX}`);
  return n;
}

/**
 * The deny-list feed SDKs poll: revocations still in force committed after the cursor, in
 * commit order. No cursor gives every revocation in force (the snapshot to start from).
 */
export async function listRevocations(deps: { store: { revocations: RevocationRepo }; clock: Clock },
  query: { since?: unknown; limit?: unknown }): Promise<RevocationFeedPage> {
  const since = checkCursor(query.since);
  const limit = checkLimit(query.limit);
  const rows = await deps.store.revocations.listSince(since, deps.clock.now(), limit + 1);
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  // With nothing new, the cursor moves to the head, past revocations that expired unseen.
  const next = items.length > 0 ? items[items.length - 1]!.seq : Math.max(since, await deps.store.revocations.headSeq());
  return { items, nextCursor: String(next), more };
}
