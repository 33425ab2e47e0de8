// Revocation MTTR: from detection (a scanner finding, a report) to revocation, over Tessera's
// own revocation records. Revocations carry no tier, environment or owner, so it is not grouped.
import type { Sql } from '../../store/index.ts';
import { METRIC_DEFINITIONS } from './metric-definitions.ts';
import type { ResolvedPostureOptions } from './posture-options.ts';
import { num } from './posture-sql.ts';
import type { Metric } from './posture-types.ts';

export async function revocationMttr(db: Sql, o: ResolvedPostureOptions): Promise<Metric> {
  const since = o.since ?? 0;
  // Sums and counts come from the store; the divisions happen here so both stores agree exactly.
  const all = await db.get<{ total: unknown; n: unknown }>(
    `SELECT COALESCE(SUM(revoked_at - detected_at), 0) AS total, COUNT(*) AS n FROM revocations WHERE revoked_at >= $1`, [since]);
  const mid = await db.get<{ mid_sum: unknown; mid_n: unknown }>(
    `WITH d AS (SELECT revoked_at - detected_at AS ms FROM revocations WHERE revoked_at >= $1),
     ranked AS (SELECT ms, ROW_NUMBER() OVER (ORDER BY ms) AS rn, COUNT(*) OVER () AS n FROM d)
     SELECT COALESCE(SUM(ms), 0) AS mid_sum, COUNT(*) AS mid_n FROM ranked WHERE rn = (n + 1) / 2 OR rn = (n + 2) / 2`, [since]);
  const n = num(all?.n);
  return {
    id: 'revocation_mttr_ms', ...METRIC_DEFINITIONS.revocation_mttr_ms,
    value: n === 0 ? null : num(all?.total) / n,
    details: { median: n === 0 ? null : num(mid?.mid_sum) / num(mid?.mid_n), count: n, since: o.since },
  };
}
