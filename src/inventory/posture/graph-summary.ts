// One pass over the blast-radius graph serves two metrics: privilege right-sizing (who holds a
// wildcard) and blast radius (how many sensitive privileges each identity reaches). The walk is
// the expensive part, so computePosture runs it once and both metrics read the result.
import type { Sql } from '../../store/index.ts';
import type { ResolvedPostureOptions } from './posture-options.ts';
import { POSTURE_DEFAULTS } from './posture-defaults.ts';
import { groupExpr, num, reachCtes, sortGroups } from './posture-sql.ts';
import type { MetricItem } from './posture-types.ts';

export interface GraphGroup {
  group: string;
  identities: number;
  /** Identities holding a wildcard, directly or through what they reach. */
  wildcard: number;
  /** The largest number of distinct sensitive privileges one identity reaches. */
  top: number;
}

export interface GraphSummary {
  /** Per group when grouping, else one row (group ''); none when there is no active identity. */
  groups: GraphGroup[];
  /** Wildcard holders, tier 1 first, then by sensitive reach (at most listLimit). */
  wildcardHolders: MetricItem[];
  /** The identities reaching the most sensitive privileges (at most POSTURE_DEFAULTS.blastRadiusTop). */
  widest: MetricItem[];
}

interface Row {
  part: 'group' | 'wild' | 'widest'; grp: string | null; n: unknown; wild: unknown; top: unknown;
  native_id: string; name: string; source: string; kind: string;
  owner: string | null; tier: string | null; environment: string | null; score: unknown;
}

const ITEM = `i.native_id, i.name, i.source, i.kind, NULLIF(TRIM(i.owner), '') AS owner,
  NULLIF(TRIM(i.tier), '') AS tier, NULLIF(TRIM(i.environment), '') AS environment`;
const NO_ITEM = `CAST(NULL AS TEXT) AS native_id, CAST(NULL AS TEXT) AS name, CAST(NULL AS TEXT) AS source,
  CAST(NULL AS TEXT) AS kind, CAST(NULL AS TEXT) AS owner, CAST(NULL AS TEXT) AS tier, CAST(NULL AS TEXT) AS environment`;
const NO_GROUP = `CAST(NULL AS TEXT) AS grp, CAST(NULL AS BIGINT) AS n, CAST(NULL AS BIGINT) AS wild, CAST(NULL AS BIGINT) AS top`;

const toItem = (r: Row): MetricItem => ({
  nativeId: r.native_id, name: r.name, source: r.source, kind: r.kind,
  owner: r.owner, tier: r.tier, environment: r.environment, value: num(r.score),
});

const byId = (a: MetricItem, b: MetricItem) => (a.nativeId < b.nativeId ? -1 : a.nativeId > b.nativeId ? 1 : 0);
/** High-risk first: tier 1 before 2 before 3 before untiered, then the widest sensitive reach. */
function byRisk(a: MetricItem, b: MetricItem): number {
  if (a.tier !== b.tier) {
    if (a.tier === null) return 1;
    if (b.tier === null) return -1;
    return a.tier < b.tier ? -1 : 1;
  }
  return b.value - a.value || byId(a, b);
}

/**
 * One statement: the walk is the expensive part, and within one statement both stores compute
 * each CTE once however many parts read it. The three parts (per-group figures and the two
 * lists) come back as rows told apart by `part`; the lists are cut in SQL and ordered here with
 * the same keys, so the order does not depend on the database's collation.
 */
export async function graphSummary(db: Sql, o: ResolvedPostureOptions): Promise<GraphSummary> {
  const g = o.groupBy ? groupExpr(o.groupBy, 'ids') : null;
  const rows = await db.all<Row>(`WITH RECURSIVE ${reachCtes(POSTURE_DEFAULTS.maxDepth)}
    SELECT 'group' AS part, ${g ?? `''`} AS grp, COUNT(*) AS n,
      COALESCE(SUM(CASE WHEN w.root IS NULL THEN 0 ELSE 1 END), 0) AS wild, MAX(COALESCE(s.n, 0)) AS top,
      ${NO_ITEM}, CAST(NULL AS BIGINT) AS score
    FROM ids LEFT JOIN wild w ON w.root = ids.id LEFT JOIN sens s ON s.root = ids.id${g ? ` GROUP BY ${g}` : ''}
    UNION ALL
    SELECT * FROM (
      SELECT 'wild' AS part, ${NO_GROUP}, ${ITEM}, COALESCE(s.n, 0) AS score
      FROM wild w CROSS JOIN inventory_items i LEFT JOIN sens s ON s.root = i.id
      WHERE i.id = w.root
      ORDER BY CASE WHEN NULLIF(TRIM(i.tier), '') IS NULL THEN 1 ELSE 0 END, NULLIF(TRIM(i.tier), ''), COALESCE(s.n, 0) DESC, i.native_id
      LIMIT $1
    ) wl
    UNION ALL
    SELECT * FROM (
      SELECT 'widest' AS part, ${NO_GROUP}, ${ITEM}, s.n AS score
      FROM sens s CROSS JOIN inventory_items i
      WHERE i.id = s.root
      ORDER BY s.n DESC, i.native_id
      LIMIT $2
    ) sl`, [o.listLimit, POSTURE_DEFAULTS.blastRadiusTop]);
  const groups = rows.filter((r) => r.part === 'group' && num(r.n) > 0)
    .map((r) => ({ group: String(r.grp ?? ''), identities: num(r.n), wildcard: num(r.wild), top: num(r.top) }));
  return {
    groups: g ? sortGroups(groups) : groups,
    wildcardHolders: rows.filter((r) => r.part === 'wild').map(toItem).sort(byRisk),
    widest: rows.filter((r) => r.part === 'widest').map(toItem).sort((a, b) => b.value - a.value || byId(a, b)),
  };
}
