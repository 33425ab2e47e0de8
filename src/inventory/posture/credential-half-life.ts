// Credential half-life: the median age of active credentials. Short-lived issuance drives it
// towards minutes; forgotten static keys drive it towards years.
import type { Sql } from '../../store/index.ts';
import { METRIC_DEFINITIONS } from './metric-definitions.ts';
import type { ResolvedPostureOptions } from './posture-options.ts';
import { DAY_MS } from './posture-defaults.ts';
import { CURRENT_ROWS, credentialRows, groupExpr, num, sortGroups } from './posture-sql.ts';
import type { GroupBy, Metric, MetricGroup } from './posture-types.ts';

const ACTIVE = `cur.category = 'credential' AND cur.active = 1`;
const STAMP = 'COALESCE(cur.last_rotated_at, cur.created_at)';

/**
 * Overall, in two aggregate passes instead of ranking every credential: (1) count the active
 * credentials per day of their stamp (one NULL bucket: the undated); (2) knowing from those
 * counts which day holds the middle rank(s), read just that day's rows in order. Ages ascending
 * are stamps descending. The division happens here, so both stores give bit-identical results.
 */
async function overallMedian(db: Sql, now: number): Promise<{ medianMs: number | null; dated: number; undated: number }> {
  const buckets = await db.all<{ b: unknown; n: unknown }>(
    `WITH ${CURRENT_ROWS} SELECT ${STAMP} / ${DAY_MS} AS b, COUNT(*) AS n FROM cur WHERE ${ACTIVE} GROUP BY ${STAMP} / ${DAY_MS}`);
  const undated = num(buckets.find((r) => r.b === null)?.n);
  const days = buckets.filter((r) => r.b !== null).map((r) => ({ b: num(r.b), n: num(r.n) })).sort((x, y) => y.b - x.b);
  const dated = days.reduce((s, d) => s + d.n, 0);
  if (dated === 0) return { medianMs: null, dated, undated };
  // 1-based ranks of the middle credential(s): (n+1)/2 and (n+2)/2, equal when n is odd.
  const lo = Math.floor((dated + 1) / 2);
  const hi = Math.floor((dated + 2) / 2);
  let before = 0;
  let i = 0;
  while (before + days[i]!.n < lo) before += days[i++]!.n;
  const first = days[i]!.b;
  const last = before + days[i]!.n >= hi ? first : days[i + 1]!.b;
  const mid = await db.all<{ age: unknown }>(
    `WITH ${CURRENT_ROWS}
     SELECT $1 - ${STAMP} AS age FROM cur
     WHERE ${ACTIVE} AND ${STAMP} IS NOT NULL AND ${STAMP} / ${DAY_MS} <= $2 AND ${STAMP} / ${DAY_MS} >= $3
     ORDER BY ${STAMP} DESC LIMIT $4 OFFSET $5`, [now, first, last, hi - lo + 1, lo - 1 - before]);
  return { medianMs: mid.reduce((s, r) => s + num(r.age), 0) / mid.length, dated, undated };
}

/**
 * Per group, with window functions: rank the ages in each group with ROW_NUMBER and keep the
 * middle row or two, i.e. ranks (n+1)/2 and (n+2)/2 in integer division.
 */
async function groupMedians(db: Sql, now: number, groupBy: GroupBy): Promise<MetricGroup[]> {
  const rows = await db.all<{ grp: string; mid_sum: unknown; mid_n: unknown; n: unknown }>(
    `WITH ${credentialRows(groupBy)},
     ages AS (
       SELECT ${groupExpr(groupBy)} AS grp, $1 - ${STAMP} AS age
       FROM cur WHERE ${ACTIVE} AND ${STAMP} IS NOT NULL
     ),
     ranked AS (
       SELECT grp, age, ROW_NUMBER() OVER (PARTITION BY grp ORDER BY age) AS rn, COUNT(*) OVER (PARTITION BY grp) AS n FROM ages
     )
     SELECT grp, SUM(age) AS mid_sum, COUNT(*) AS mid_n, MAX(n) AS n FROM ranked
     WHERE rn = (n + 1) / 2 OR rn = (n + 2) / 2
     GROUP BY grp`, [now]);
  return sortGroups(rows.map((r) => ({ group: String(r.grp), value: num(r.mid_sum) / num(r.mid_n) / DAY_MS, denominator: num(r.n) })));
}

export async function credentialHalfLife(db: Sql, o: ResolvedPostureOptions): Promise<Metric> {
  const overall = await overallMedian(db, o.now);
  return {
    id: 'credential_half_life_days', ...METRIC_DEFINITIONS.credential_half_life_days,
    value: overall.medianMs === null ? null : overall.medianMs / DAY_MS,
    details: { dated: overall.dated, undated: overall.undated },
    ...(o.groupBy ? { groups: await groupMedians(db, o.now, o.groupBy) } : {}),
  };
}
