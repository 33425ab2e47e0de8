// Credential half-life: the median age of active credentials. Short-lived issuance drives it
// towards minutes; forgotten static keys drive it towards years.
import type { Sql } from '../../store/index.ts';
import { METRIC_DEFINITIONS } from './metric-definitions.ts';
import type { ResolvedPostureOptions } from './posture-options.ts';
import { DAY_MS } from './posture-defaults.ts';
import { CURRENT_ROWS, credentialRows, groupExpr, num, sortGroups } from './posture-sql.ts';
import type { GroupBy, Metric, MetricGroup } from './posture-types.ts';

const DATED = `cur.category = 'credential' AND cur.active = 1`;

/**
 * The median per group in portable SQL: rank the ages with ROW_NUMBER, and keep the middle row
 * (odd count) or the two middle rows (even count), i.e. ranks (n+1)/2 and (n+2)/2 in integer
 * division. The store returns their sum and count; the division happens here, so both stores
 * give bit-identical results.
 */
async function medians(db: Sql, now: number, groupBy: GroupBy | null): Promise<{ group: string; medianMs: number; n: number }[]> {
  const g = groupBy ? groupExpr(groupBy) : null;
  const part = g ? 'PARTITION BY grp ' : '';
  const rows = await db.all<{ grp?: string; mid_sum: unknown; mid_n: unknown; n: unknown }>(
    `WITH ${credentialRows(groupBy)},
     ages AS (
       SELECT ${g ? `${g}` : `''`} AS grp, $1 - COALESCE(cur.last_rotated_at, cur.created_at) AS age
       FROM cur WHERE ${DATED} AND COALESCE(cur.last_rotated_at, cur.created_at) IS NOT NULL
     ),
     ranked AS (
       SELECT grp, age, ROW_NUMBER() OVER (${part}ORDER BY age) AS rn, COUNT(*) OVER (${part.trim()}) AS n FROM ages
     )
     SELECT grp, SUM(age) AS mid_sum, COUNT(*) AS mid_n, MAX(n) AS n FROM ranked
     WHERE rn = (n + 1) / 2 OR rn = (n + 2) / 2
     GROUP BY grp`, [now]);
  return rows.map((r) => ({ group: String(r.grp ?? ''), medianMs: num(r.mid_sum) / num(r.mid_n), n: num(r.n) }));
}

export async function credentialHalfLife(db: Sql, o: ResolvedPostureOptions): Promise<Metric> {
  const [overall] = await medians(db, o.now, null);
  const undated = await db.get<{ n: unknown }>(
    `WITH ${CURRENT_ROWS} SELECT COUNT(*) AS n FROM cur
     WHERE ${DATED} AND cur.last_rotated_at IS NULL AND cur.created_at IS NULL`);
  let groups: MetricGroup[] | undefined;
  if (o.groupBy) {
    groups = sortGroups((await medians(db, o.now, o.groupBy)).map((m) => ({ group: m.group, value: m.medianMs / DAY_MS, denominator: m.n })));
  }
  return {
    id: 'credential_half_life_days', ...METRIC_DEFINITIONS.credential_half_life_days,
    value: overall ? overall.medianMs / DAY_MS : null,
    details: { dated: overall?.n ?? 0, undated: num(undated?.n) },
    ...(groups ? { groups } : {}),
  };
}
