import { setTimeout as sleep } from 'node:timers/promises';
import { invalid } from '../shared/errors.ts';
import type { AuditOutcome } from '../shared/tx.ts';
import type { AuditRepo } from './audit-repo.ts';
import { OUTCOMES } from './public-event.ts';
import type { AuditEvent } from './types.ts';

export interface AuditFilter {
  action?: string | undefined;
  actor?: string | undefined;
  outcome?: AuditOutcome | undefined;
}

export const MAX_PAGE = 1000;

/** Checks a page size and a filter (callers other than HTTP get the same rules). */
export function checkQuery(limit: number, f: AuditFilter): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) throw invalid('limit', `must be an integer from 1 to ${MAX_PAGE}`);
  if (f.outcome !== undefined && !OUTCOMES.includes(f.outcome)) throw invalid('outcome', `must be one of ${OUTCOMES.join(', ')}`);
}

/** The newest `limit` events matching the filter, oldest first (the order a tail prints). */
export async function tailAudit(repo: AuditRepo, opts: AuditFilter & { limit?: number | undefined } = {}): Promise<AuditEvent[]> {
  const limit = opts.limit ?? 20;
  checkQuery(limit, opts);
  const newest = await repo.list({ limit, newestFirst: true, action: opts.action, actor: opts.actor, outcome: opts.outcome });
  return newest.reverse();
}

export interface FollowOptions {
  /** Only events after this seq are yielded. */
  afterSeq: number;
  /** Pause between polls when nothing new has arrived; default 1 s. */
  intervalMs?: number | undefined;
  /** Stops following (the generator then returns). */
  signal?: AbortSignal | undefined;
}

/**
 * Polls for events past the last seq seen, forever or until the signal aborts. Generic over the
 * page source so the CLI can follow over HTTP with the same loop.
 */
export async function* pollAfter<T extends { seq: number }>(fetchAfter: (afterSeq: number) => Promise<T[]>, opts: FollowOptions): AsyncGenerator<T> {
  let after = opts.afterSeq;
  while (!opts.signal?.aborted) {
    const page = await fetchAfter(after);
    for (const e of page) {
      if (opts.signal?.aborted) return;
      yield e;
      after = Math.max(after, e.seq);
    }
    if (page.length > 0) continue;
    try {
      await sleep(opts.intervalMs ?? 1000, undefined, opts.signal ? { signal: opts.signal } : {});
    } catch {
      return; // aborted while waiting
    }
  }
}

/** Follows the log from a seq, with the same filters as tailAudit. */
export function followAudit(repo: AuditRepo, opts: FollowOptions & AuditFilter): AsyncGenerator<AuditEvent> {
  checkQuery(MAX_PAGE, opts);
  return pollAfter((afterSeq) => repo.list({
    afterSeq, limit: MAX_PAGE, action: opts.action, actor: opts.actor, outcome: opts.outcome,
  }), opts);
}
