import { invalid } from '../shared/errors.ts';
import type { AuditRepo } from './audit-repo.ts';
import { checkQuery, type AuditFilter } from './tail-audit.ts';
import type { AuditEvent } from './types.ts';

export interface ListAuditQuery extends AuditFilter {
  limit?: number | undefined;
  /** Only events with seq > after. */
  after?: number | undefined;
  /** Only events with seq < before. */
  before?: number | undefined;
  /** Newest first by default. */
  order?: 'asc' | 'desc' | undefined;
}

export interface AuditPage {
  items: AuditEvent[];
  /**
   * The seq to continue from, or null on the last page: pass it as `before` when reading newest
   * first, as `after` when reading oldest first.
   */
  nextCursor: number | null;
}

/** One page of the log, filtered, by seq (keyset pagination: stable while the log grows). */
export async function listAudit(repo: AuditRepo, q: ListAuditQuery = {}): Promise<AuditPage> {
  const limit = q.limit ?? 100;
  checkQuery(limit, q);
  for (const [field, v] of [['after', q.after], ['before', q.before]] as const) {
    if (v !== undefined && (!Number.isSafeInteger(v) || v < 0)) throw invalid(field, 'must be a non-negative integer');
  }
  // One more than asked tells whether another page exists without a second query.
  const rows = await repo.list({
    limit: limit + 1, afterSeq: q.after, beforeSeq: q.before, newestFirst: (q.order ?? 'desc') === 'desc',
    action: q.action, actor: q.actor, outcome: q.outcome,
  });
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? items[items.length - 1]!.seq : null };
}
