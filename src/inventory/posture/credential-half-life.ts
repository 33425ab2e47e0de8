// Credential half-life: the median age of active credentials. Short-lived issuance drives it
// towards minutes; forgotten static keys drive it towards years.
import type { Sql } from '../../store/index.ts';
import { METRIC_DEFINITIONS } from './metric-definitions.ts';
import type { ResolvedPostureOptions } from './posture-options.ts';
import { ACTIVE_CREDENTIAL, STAMP, STAMP_DAY, type CredentialDay } from './credential-days.ts';
import { DAY_MS } from './posture-defaults.ts';
import { CURRENT_ROWS, credentialRows, groupExpr, num, sortGroups } from './posture-sql.ts';
import type { GroupBy, Metric, MetricGroup } from './posture-types.ts';

const ACTIVE = ACTIVE_CREDENTIAL;
const DAY = STAMP_DAY;

interface Bucket { b: number; n: number }
/** Where the middle rank(s) of a set of dated credentials lie, from its per-day counts. */
interface Middle { first: number; last: number; skip: number; take: number; dated: number }

/**
 * Ages ascending are stamps descending: walk the day buckets newest first to the day holding the
 * 1-based middle ranks (n+1)/2 and (n+2)/2 (equal when n is odd), and the day after it when the
 * second falls there. `skip` ranks of those days come before the middle, `take` are the middle.
 */
function middleOf(days: Bucket[]): Middle | null {
  days.sort((x, y) => y.b - x.b);
  const dated = days.reduce((s, d) => s + d.n, 0);
  if (dated === 0) return null;
  const lo = Math.floor((dated + 1) / 2);
  const hi = Math.floor((dated + 2) / 2);
  let before = 0;
  let i = 0;
  while (before + days[i]!.n < lo) before += days[i++]!.n;
  const first = days[i]!.b;
  const last = before + days[i]!.n >= hi ? first : days[i + 1]!.b;
  return { first, last, skip: lo - 1 - before, take: hi - lo + 1, dated };
}

/**
 * Medians without ranking every credential. (1) The shared grouped pass (credentialDays) counts
 * the active credentials per group and day of their stamp (the NULL day: the undated); the
 * overall counts are the sums of the groups. (2) Knowing which day(s) hold each middle rank,
 * read just those days' rows: overall with ORDER BY … LIMIT/OFFSET, per group with ROW_NUMBER
 * over those rows alone. The divisions happen here, so both stores give bit-identical results.
 */
async function medians(db: Sql, now: number, groupBy: GroupBy | null, days: readonly CredentialDay[]): Promise<{
  medianMs: number | null; dated: number; undated: number; groups: MetricGroup[];
}> {
  const buckets = days.map((d) => ({ grp: d.grp, b: d.day, n: d.n }));
  const undated = buckets.reduce((s, r) => s + (r.b === null ? r.n : 0), 0);
  const overallDays = new Map<number, number>();
  const groupDays = new Map<string, Bucket[]>();
  for (const r of buckets) {
    if (r.b === null) continue;
    overallDays.set(r.b, (overallDays.get(r.b) ?? 0) + r.n);
    let list = groupDays.get(r.grp);
    if (!list) groupDays.set(r.grp, list = []);
    list.push({ b: r.b, n: r.n });
  }
  const overall = middleOf([...overallDays].map(([b, n]) => ({ b, n })));
  let medianMs: number | null = null;
  if (overall) {
    const mid = await db.all<{ age: unknown }>(
      `WITH ${CURRENT_ROWS}
       SELECT $1 - ${STAMP} AS age FROM cur
       WHERE ${ACTIVE} AND ${STAMP} IS NOT NULL AND ${DAY} <= $2 AND ${DAY} >= $3
       ORDER BY ${STAMP} DESC LIMIT $4 OFFSET $5`, [now, overall.first, overall.last, overall.take, overall.skip]);
    medianMs = mid.reduce((s, r) => s + num(r.age), 0) / mid.length;
  }
  const groups = groupBy ? await groupMiddles(db, now, groupBy, groupDays) : [];
  return { medianMs, dated: overall?.dated ?? 0, undated, groups };
}

/** Each group's middle ages, from the rows of its middle day(s) only (one scan, one statement). */
async function groupMiddles(db: Sql, now: number, groupBy: GroupBy, groupDays: Map<string, Bucket[]>): Promise<MetricGroup[]> {
  const targets = [...groupDays].map(([grp, days]) => ({ grp, m: middleOf(days)! }));
  if (targets.length === 0) return [];
  // The middle days of all groups, as a cheap integer test that runs before the group's value
  // (possibly inherited from the identity) is worked out for a row.
  const days = [...new Set(targets.flatMap(({ m }) => [m.first, m.last]))];
  const params: unknown[] = [now, ...days];
  const dayList = days.map((_, i) => `CAST($${i + 2} AS BIGINT)`).join(', ');
  const values = targets.map(({ grp, m }) => {
    params.push(grp, m.first, m.last, m.skip, m.take);
    const at = params.length - 4;
    return `(CAST($${at} AS TEXT), CAST($${at + 1} AS BIGINT), CAST($${at + 2} AS BIGINT), CAST($${at + 3} AS BIGINT), CAST($${at + 4} AS BIGINT))`;
  });
  const rows = await db.all<{ grp: string; mid_sum: unknown; mid_n: unknown }>(
    `WITH ${credentialRows(groupBy)},
     t(grp, first_b, last_b, skip, take) AS (VALUES ${values.join(', ')}),
     mid AS (
       SELECT t.grp, $1 - ${STAMP} AS age FROM cur CROSS JOIN t
       WHERE ${ACTIVE} AND ${DAY} IN (${dayList}) AND t.grp = ${groupExpr(groupBy)} AND ${DAY} <= t.first_b AND ${DAY} >= t.last_b
     ),
     ranked AS (SELECT grp, age, ROW_NUMBER() OVER (PARTITION BY grp ORDER BY age) AS rn FROM mid)
     SELECT r.grp, SUM(r.age) AS mid_sum, COUNT(*) AS mid_n FROM ranked r CROSS JOIN t
     WHERE t.grp = r.grp AND r.rn > t.skip AND r.rn <= t.skip + t.take
     GROUP BY r.grp`, params);
  const dated = new Map(targets.map(({ grp, m }) => [grp, m.dated]));
  return sortGroups(rows.map((r) => ({ group: String(r.grp), value: num(r.mid_sum) / num(r.mid_n) / DAY_MS, denominator: dated.get(String(r.grp))! })));
}

export async function credentialHalfLife(db: Sql, o: ResolvedPostureOptions, days: readonly CredentialDay[]): Promise<Metric> {
  const overall = await medians(db, o.now, o.groupBy, days);
  return {
    id: 'credential_half_life_days', ...METRIC_DEFINITIONS.credential_half_life_days,
    value: overall.medianMs === null ? null : overall.medianMs / DAY_MS,
    details: { dated: overall.dated, undated: overall.undated },
    ...(o.groupBy ? { groups: overall.groups } : {}),
  };
}
