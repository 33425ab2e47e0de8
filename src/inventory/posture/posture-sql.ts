// SQL fragments every posture query shares. Written once for SQLite and PostgreSQL 15: only
// portable syntax (CTEs, window functions, COALESCE/NULLIF/TRIM, CASE), $n placeholders, and
// no string aggregation or collation-dependent ordering (results are sorted in JS when ties matter).
import type { Sql } from '../../store/index.ts';
import type { GroupBy } from './posture-types.ts';
import { UNSET_GROUP } from './posture-types.ts';

/**
 * The value a row inherits from its identity (parent_id = the identity's native_id), as a
 * lookup by the native_id index. The MAX over the identity's rows means an identity seen in two
 * feeds cannot double a credential. Inside COALESCE it runs only for rows lacking their own
 * value (both stores evaluate COALESCE lazily), and an outer query that never reads the column
 * never runs it: measured at 1M credentials on SQLite, a row with its own value costs nothing and
 * one that inherits costs the same as the hash-style join this replaced.
 */
export function inherited(column: 'owner' | 'tier' | 'environment', alias: string): string {
  return `(SELECT MAX(NULLIF(TRIM(p.${column}), '')) FROM inventory_items p
    WHERE p.native_id = ${alias}.parent_id AND p.category = 'identity' AND p.removed_at IS NULL)`;
}

/**
 * `cur`: the current inventory (rows not removed), with blank text treated as missing and the
 * owner, tier and environment a credential inherits from its identity when it has none of its own.
 */
export const CURRENT_ITEMS = `cur AS (
  SELECT i.id, i.source, i.native_id, i.category, i.kind, i.name, i.parent_id,
    NULLIF(TRIM(i.service), '') AS service,
    COALESCE(NULLIF(TRIM(i.owner), ''), ${inherited('owner', 'i')}) AS owner,
    COALESCE(NULLIF(TRIM(i.tier), ''), ${inherited('tier', 'i')}) AS tier,
    COALESCE(NULLIF(TRIM(i.environment), ''), ${inherited('environment', 'i')}) AS environment,
    i.created_at, i.last_rotated_at, i.last_used_at, i.expires_at,
    i.active, i.long_lived, i.federated, i.wildcard, i.attributes
  FROM inventory_items i
  WHERE i.removed_at IS NULL
)`;

/**
 * `cur` without inheritance: each row's own owner, tier and environment. Identities never
 * inherit, and a credential metric that does not group by an inherited value needs no lookup.
 */
export const CURRENT_ROWS = `cur AS (
  SELECT i.id, i.source, i.native_id, i.category, i.kind, i.name, i.parent_id,
    NULLIF(TRIM(i.service), '') AS service,
    NULLIF(TRIM(i.owner), '') AS owner,
    NULLIF(TRIM(i.tier), '') AS tier,
    NULLIF(TRIM(i.environment), '') AS environment,
    i.created_at, i.last_rotated_at, i.last_used_at, i.expires_at,
    i.active, i.long_lived, i.federated, i.wildcard, i.attributes
  FROM inventory_items i
  WHERE i.removed_at IS NULL
)`;

/** The `cur` a credential metric needs for this grouping. */
export function credentialRows(groupBy: GroupBy | null): string {
  return groupBy === null || groupBy === 'source' ? CURRENT_ROWS : CURRENT_ITEMS;
}

const GROUP_COLUMN: Record<GroupBy, string> = { tier: 'tier', env: 'environment', owner: 'owner', source: 'source' };

/**
 * Principals: identities that can act. Groups and permission sets (Kubernetes Roles) hold
 * privileges and edges but never act themselves, so metrics about "identities" leave them out.
 */
export const PRINCIPAL_KINDS = "kind NOT IN ('group', 'permission-set')";

/** The group expression over `cur` (aliased `alias`); missing values form the UNSET_GROUP. */
export function groupExpr(groupBy: GroupBy, alias = 'cur'): string {
  return `COALESCE(${alias}.${GROUP_COLUMN[groupBy]}, '${UNSET_GROUP}')`;
}

/**
 * The blast-radius graph. `ids`: active current identities (one full scan; only the summary
 * query reads it). The other CTEs start from the small sides, edges and the privileges that
 * matter, and look items up by key, so they never scan the inventory:
 * - `hop(root, node, depth)`: the native ids an identity reaches in 1..maxDepth steps along
 *   can-assume, member-of and bound-to edges (from_id → to_id) reported by current items. UNION
 *   drops repeated rows so a cycle adds nothing new, and the depth limit ends the walk even in a
 *   cycle.
 * - `reached(root, item_id)`: the active current items at those native ids.
 * - `held`: wildcard or sensitive privileges an identity holds itself or through what it reaches.
 * - `wild`: identities holding a wildcard; `sens(root, n)`: the number of distinct sensitive
 *   (action, resource) pairs an identity holds (identities with none are absent).
 * `A CROSS JOIN B WHERE …` is an inner join to PostgreSQL; to SQLite it also fixes A as the
 * outer loop, which keeps the walk driven by the edges instead of a scan of every item.
 */
export function reachCtes(maxDepth: number): string {
  return `ids AS (
  SELECT i.id, i.native_id, i.name, i.source, i.kind,
    NULLIF(TRIM(i.owner), '') AS owner, NULLIF(TRIM(i.tier), '') AS tier, NULLIF(TRIM(i.environment), '') AS environment
  FROM inventory_items i
  WHERE i.category = 'identity' AND i.active = 1 AND i.removed_at IS NULL AND i.${PRINCIPAL_KINDS}
),
edge AS (
  SELECT DISTINCT e.from_id, e.to_id FROM inventory_edges e CROSS JOIN inventory_items o
  WHERE o.id = e.item_id AND o.removed_at IS NULL AND e.relation IN ('can-assume', 'member-of', 'bound-to')
),
hop(root, node, depth) AS (
  SELECT i.id, e.to_id, 1 FROM edge e CROSS JOIN inventory_items i
  WHERE i.native_id = e.from_id AND i.category = 'identity' AND i.active = 1 AND i.removed_at IS NULL AND i.${PRINCIPAL_KINDS}
  UNION
  SELECT h.root, e.to_id, h.depth + 1 FROM hop h JOIN edge e ON e.from_id = h.node
  WHERE h.depth < ${Math.trunc(maxDepth)}
),
reached AS (
  SELECT DISTINCT h.root, n.id AS item_id FROM hop h CROSS JOIN inventory_items n
  WHERE n.native_id = h.node AND n.removed_at IS NULL AND n.active = 1
),
held AS (
  SELECT i.id AS root, p.action, p.resource, p.wildcard, p.sensitive
  FROM inventory_privileges p CROSS JOIN inventory_items i
  WHERE (p.wildcard = 1 OR p.sensitive = 1)
    AND i.id = p.item_id AND i.category = 'identity' AND i.active = 1 AND i.removed_at IS NULL AND i.${PRINCIPAL_KINDS}
  UNION
  SELECT x.root, p.action, p.resource, p.wildcard, p.sensitive
  FROM reached x CROSS JOIN inventory_privileges p
  WHERE p.item_id = x.item_id AND (p.wildcard = 1 OR p.sensitive = 1)
),
wild AS (SELECT DISTINCT root FROM held WHERE wildcard = 1),
sens AS (
  SELECT root, COUNT(*) AS n FROM (SELECT DISTINCT root, action, resource FROM held WHERE sensitive = 1) s
  GROUP BY root
)`;
}

/** COUNT/SUM/MAX arrive as numbers (SQLite), or numbers/strings (PostgreSQL bigint/numeric). */
export function num(v: unknown): number {
  return v === null || v === undefined ? 0 : Number(v);
}

export function numOrNull(v: unknown): number | null {
  return v === null || v === undefined ? null : Number(v);
}

/** Groups in a stable order on both stores (code-unit order, the unset group last). */
export function sortGroups<T extends { group: string }>(groups: T[]): T[] {
  return groups.sort((a, b) => {
    if (a.group === b.group) return 0;
    if (a.group === UNSET_GROUP) return 1;
    if (b.group === UNSET_GROUP) return -1;
    return a.group < b.group ? -1 : 1;
  });
}

export interface GroupedCounts {
  numerator: number;
  denominator: number;
  groups: { group: string; numerator: number; denominator: number }[];
}

/**
 * Counts rows (the denominator) and rows matching `condition` (the numerator), overall and per
 * group, in one aggregate query: grouped when groupBy is set (the overall figures are then the
 * sums of the groups), a single row otherwise. `with` is the WITH clause `from` reads;
 * `alias` names the relation in `from` that carries the cur columns.
 */
export async function groupedCounts(
  db: Sql, groupBy: GroupBy | null, q: { with: string; from: string; alias: string; condition: string; params?: readonly unknown[] },
): Promise<GroupedCounts> {
  const g = groupBy ? groupExpr(groupBy, q.alias) : null;
  const rows = await db.all<{ grp?: string; num: unknown; den: unknown }>(
    `${q.with}
     SELECT ${g ? `${g} AS grp, ` : ''}COUNT(*) AS den, COALESCE(SUM(CASE WHEN ${q.condition} THEN 1 ELSE 0 END), 0) AS num
     FROM ${q.from}${g ? ` GROUP BY ${g}` : ''}`, q.params ?? []);
  const groups = rows.map((r) => ({ group: String(r.grp ?? ''), numerator: num(r.num), denominator: num(r.den) }));
  return {
    numerator: groups.reduce((s, r) => s + r.numerator, 0),
    denominator: groups.reduce((s, r) => s + r.denominator, 0),
    groups: g ? sortGroups(groups) : [],
  };
}

/** numerator / denominator, or null when there is nothing to divide by. */
export function ratio(numerator: number, denominator: number, scale = 1): number | null {
  return denominator === 0 ? null : (scale * numerator) / denominator;
}
