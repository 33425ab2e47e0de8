// The hygiene lists: concrete items to act on, each with the reason and what to do. Each list
// is one filtered query over the current inventory, its exact total counted in the same query; only the
// listed items are loaded.
import type { Sql } from '../../store/index.ts';
import { DAY_MS, POSTURE_DEFAULTS } from './posture-defaults.ts';
import { resolveHygieneOptions, type ResolvedHygieneOptions } from './posture-options.ts';
import { CURRENT_ROWS, PRINCIPAL_KINDS, inherited, num, numOrNull } from './posture-sql.ts';
import { HYGIENE_DEFINITIONS, HYGIENE_LIST_IDS } from './hygiene-definitions.ts';
import type { Hygiene, HygieneItem, HygieneList, HygieneListId, HygieneOptions } from './posture-types.ts';

interface Row {
  native_id: string; name: string; source: string; category: string; kind: string;
  owner: string | null; environment: string | null; tier: string | null; parent_id: string | null;
  created_at: unknown; last_rotated_at: unknown; last_used_at: unknown; expires_at: unknown;
  attributes: string | null; used_at?: unknown; workload?: string | null; by_name?: unknown; by_workload?: unknown;
}

const COLUMNS = `id, native_id, name, source, category, kind, owner, environment, tier, parent_id,
  created_at, last_rotated_at, last_used_at, expires_at, attributes`;
/** COLUMNS (id aside) but the three a credential may inherit, which the final select works out. */
const OWN = ['native_id', 'name', 'source', 'category', 'kind', 'parent_id', 'created_at', 'last_rotated_at', 'last_used_at', 'expires_at', 'attributes'];

interface ListQuery {
  /** CTEs after CURRENT_ROWS, each starting with a comma. */
  ctes?: string;
  /** SELECT … FROM … WHERE … producing the list's rows (with COLUMNS). */
  select: string;
  params: unknown[];
  /** Columns the select adds after COLUMNS, which the reason needs. */
  extra?: string[];
  reason(row: Row, o: ResolvedHygieneOptions): string;
  action(row: Row): HygieneItem['action'];
}

const day = (t: number) => new Date(t).toISOString().slice(0, 10);
const daysAgo = (now: number, t: number) => Math.floor((now - t) / DAY_MS);

/** A tier with its own limit (hasOwn: a tier named "constructor" is data, not a prototype key). */
const hasLimit = (o: ResolvedHygieneOptions, tier: string | null): tier is string => tier !== null && Object.hasOwn(o.rotationDays, tier) && tier !== 'default';

function rotationLimit(o: ResolvedHygieneOptions, tier: string | null): number {
  return hasLimit(o, tier) ? o.rotationDays[tier]! : o.rotationDays.default;
}

function attributesOf(text: string | null): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(text ?? '{}');
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? v as Record<string, unknown> : {};
  } catch {
    return {}; // attributes are informative only; one bad row must not hide the whole list
  }
}

/**
 * Lists filter on the rows' own values first and look up what a credential inherits from its
 * identity only where it decides or for the rows returned: over a million credentials a lookup
 * for every row would be most of the work.
 */
const fromIdentity = inherited;

function queries(o: ResolvedHygieneOptions): Record<HygieneListId, ListQuery> {
  const unusedCutoff = o.now - Math.floor(o.unusedDays * DAY_MS);
  const usage = POSTURE_DEFAULTS.usageSources;
  const tiers = Object.keys(o.rotationDays).filter((t) => t !== 'default');
  const cutoff = (days: number) => o.now - Math.floor(days * DAY_MS);
  // The oldest acceptable rotation time for the item's tier: CASE tier WHEN '1' THEN … END.
  const rotationParams: unknown[] = [];
  const when = tiers.map((t) => {
    rotationParams.push(t, cutoff(o.rotationDays[t]!));
    return `WHEN $${rotationParams.length - 1} THEN CAST($${rotationParams.length} AS BIGINT)`;
  }).join(' ');
  rotationParams.push(cutoff(o.rotationDays.default));
  const rotationCutoff = tiers.length > 0
    ? `CASE COALESCE(cand.tier, ${fromIdentity('tier', 'cand')}) ${when} ELSE CAST($${rotationParams.length} AS BIGINT) END`
    : `CAST($${rotationParams.length} AS BIGINT)`;
  // Only credentials older than the shortest limit can be overdue: the tier (possibly the
  // identity's, one lookup each) is worked out for those alone.
  rotationParams.push(cutoff(Math.min(...Object.values(o.rotationDays))));
  const loosest = `$${rotationParams.length}`;
  // Unused: last use before the cutoff ($1), or never used, created before it, from a source
  // that records use ($2…).
  const idle = (usedAt: string) => `((${usedAt} IS NOT NULL AND ${usedAt} < $1)
    OR (${usedAt} IS NULL AND created_at IS NOT NULL AND created_at < $1
        AND ${usage.length > 0 ? `source IN (${usage.map((_, i) => `$${i + 2}`).join(', ')})` : '1 = 0'}))`;

  return {
    'unowned': {
      select: `SELECT ${COLUMNS} FROM cur WHERE cur.active = 1 AND cur.owner IS NULL
        AND (cur.category = 'credential' OR cur.${PRINCIPAL_KINDS})
        AND (cur.parent_id IS NULL OR ${fromIdentity('owner', 'cur')} IS NULL)`,
      params: [],
      reason: (r) => r.category === 'credential' && r.parent_id !== null
        ? 'no owner on the credential nor on its identity'
        : 'no owner tag, label, annotation or metadata',
      action: () => 'assign-owner',
    },
    'unused': {
      // An identity is in use when any of its credentials is: an IAM user whose access key was
      // used yesterday is not idle even though the user row has no last-used date.
      // Credentials carry their own use and are filtered as they are scanned; only identities
      // (a quarter of the rows or fewer) are joined to their credentials' latest use. Measured
      // at 1M credentials on SQLite, one grouped pass for that is cheaper than a lookup per
      // identity, and joining every row to it was most of the list's time.
      ctes: `, cred_use AS (
          SELECT parent_id, MAX(last_used_at) AS used FROM inventory_items
          WHERE category = 'credential' AND removed_at IS NULL AND parent_id IS NOT NULL AND last_used_at IS NOT NULL
          GROUP BY parent_id
        ),
        ident AS (
          SELECT ${COLUMNS.split(',').map((c) => `cur.${c.trim()}`).join(', ')}, CASE
            WHEN cu.used IS NULL THEN cur.last_used_at
            WHEN cur.last_used_at IS NULL OR cu.used > cur.last_used_at THEN cu.used
            ELSE cur.last_used_at END AS used_at
          FROM cur LEFT JOIN cred_use cu ON cu.parent_id = cur.native_id
          WHERE cur.category = 'identity' AND cur.active = 1
        )`,
      select: `SELECT ${COLUMNS}, last_used_at AS used_at FROM cur WHERE category <> 'identity' AND active = 1 AND ${idle('last_used_at')}
        UNION ALL
        SELECT ${COLUMNS}, used_at FROM ident WHERE ${idle('used_at')}`,
      params: [unusedCutoff, ...usage],
      extra: ['used_at'],
      reason: (r) => {
        const used = numOrNull(r.used_at);
        return used !== null
          ? `last used ${day(used)}, ${daysAgo(o.now, used)} days ago (limit ${o.unusedDays} days)`
          : `never used; created ${day(num(r.created_at))}, ${daysAgo(o.now, num(r.created_at))} days ago (limit ${o.unusedDays} days)`;
      },
      action: () => 'disable',
    },
    'expired-active': {
      select: `SELECT ${COLUMNS} FROM cur WHERE cur.active = 1 AND cur.expires_at IS NOT NULL AND cur.expires_at <= $1`,
      params: [o.now],
      reason: (r) => `expired ${day(num(r.expires_at))}, ${daysAgo(o.now, num(r.expires_at))} days ago, but still active`,
      action: () => 'disable',
    },
    'rotation-overdue': {
      ctes: `, cand AS (
          SELECT cur.* FROM cur
          WHERE cur.category = 'credential' AND cur.active = 1 AND cur.long_lived = 1
            AND COALESCE(cur.last_rotated_at, cur.created_at) < CAST(${loosest} AS BIGINT)
        )`,
      select: `SELECT ${COLUMNS} FROM cand WHERE COALESCE(cand.last_rotated_at, cand.created_at) < ${rotationCutoff}`,
      params: rotationParams,
      reason: (r) => {
        const rotated = numOrNull(r.last_rotated_at);
        const at = rotated ?? num(r.created_at);
        const tier = hasLimit(o, r.tier) ? `tier ${r.tier}` : 'default';
        return `${rotated !== null ? 'last rotated' : 'never rotated; created'} ${day(at)}, ${daysAgo(o.now, at)} days ago (${tier} limit ${rotationLimit(o, r.tier)} days)`;
      },
      // A legacy token Secret should not be replaced by another one: projected tokens exist.
      action: (r) => (r.source === 'kubernetes' && r.kind === 'token' ? 'migrate-to-federation' : 'rotate'),
    },
    'shared-environments': {
      // MATERIALIZED: read three times below, so scan the inventory for it once.
      ctes: `, ident AS MATERIALIZED (
          SELECT cur.*, l.workload FROM cur LEFT JOIN inventory_links l ON l.native_id = cur.native_id
          WHERE cur.category = 'identity' AND cur.active = 1 AND cur.environment IS NOT NULL
        ),
        names AS (SELECT name FROM ident GROUP BY name HAVING COUNT(DISTINCT environment) >= 2),
        works AS (SELECT workload FROM ident WHERE workload IS NOT NULL GROUP BY workload HAVING COUNT(DISTINCT environment) >= 2)`,
      select: `SELECT ${COLUMNS}, workload,
          CASE WHEN name IN (SELECT name FROM names) THEN 1 ELSE 0 END AS by_name,
          CASE WHEN workload IN (SELECT workload FROM works) THEN 1 ELSE 0 END AS by_workload
        FROM ident WHERE name IN (SELECT name FROM names) OR workload IN (SELECT workload FROM works)`,
      params: [],
      extra: ['workload', 'by_name', 'by_workload'],
      reason: () => '', // set by sharedReasons: it needs the other members of the group
      action: () => 'split',
    },
  };
}

/** "name 'etl' is used in dev, prod": the environments come from the group's own rows. */
function sharedReasons(rows: Row[]): string[] {
  const envs = new Map<string, Set<string>>();
  const add = (key: string, env: string) => { let s = envs.get(key); if (!s) envs.set(key, s = new Set()); s.add(env); };
  for (const r of rows) {
    if (num(r.by_name) === 1) add(`n:${r.name}`, r.environment!);
    if (num(r.by_workload) === 1) add(`w:${r.workload}`, r.environment!);
  }
  const list = (key: string) => [...envs.get(key)!].sort().join(', ');
  return rows.map((r) => [
    ...(num(r.by_name) === 1 ? [`name '${r.name}' is used in ${list(`n:${r.name}`)}`] : []),
    ...(num(r.by_workload) === 1 ? [`workload '${r.workload}' spans ${list(`w:${r.workload}`)}`] : []),
  ].join('; '));
}

function itemOf(id: HygieneListId, r: Row, reason: string, action: HygieneItem['action']): HygieneItem {
  return {
    list: id, nativeId: r.native_id, name: r.name, source: r.source, category: r.category, kind: r.kind,
    owner: r.owner, environment: r.environment, tier: r.tier, parentId: r.parent_id,
    createdAt: numOrNull(r.created_at), lastRotatedAt: numOrNull(r.last_rotated_at),
    lastUsedAt: numOrNull(r.last_used_at), expiresAt: numOrNull(r.expires_at),
    attributes: attributesOf(r.attributes), reason, action,
  };
}

const byKey = (a: Row, b: Row) => (a.source < b.source ? -1 : a.source > b.source ? 1 : a.native_id < b.native_id ? -1 : a.native_id > b.native_id ? 1 : 0);

async function runList(db: Sql, id: HygieneListId, q: ListQuery, o: ResolvedHygieneOptions): Promise<HygieneList> {
  const head = `WITH ${CURRENT_ROWS}${q.ctes ?? ''}, hits AS (${q.select})`;
  const shared = id === 'shared-environments';
  // The shared list is read whole: an item's reason names the environments of its whole group.
  const limited = o.limit !== null && !shared;
  // One pass: the exact total rides on every row as a window count taken before the cut, so
  // the list's query runs once instead of once more for a COUNT. The count and the cut carry
  // only keys (a window over whole rows copies every column of every hit); the returned rows are
  // then read back by primary key, with what each credential inherits from its identity.
  const extra = q.extra ?? [];
  const rows = await db.all<Row & { total_n: unknown }>(
    `${head}, cut AS (
       SELECT id, source, native_id${extra.map((c) => `, ${c}`).join('')}, COUNT(*) OVER () AS total_n
       FROM hits ORDER BY source, native_id${limited ? ` LIMIT $${q.params.length + 1}` : ''}
     )
     SELECT ${OWN.map((c) => `cur.${c}`).join(', ')}${extra.map((c) => `, cut.${c}`).join('')}, cut.total_n,
       COALESCE(cur.owner, ${fromIdentity('owner', 'cur')}) AS owner,
       COALESCE(cur.tier, ${fromIdentity('tier', 'cur')}) AS tier,
       COALESCE(cur.environment, ${fromIdentity('environment', 'cur')}) AS environment
     FROM cut CROSS JOIN cur WHERE cur.id = cut.id`,
    limited ? [...q.params, o.limit] : q.params,
  );
  const total = rows.length === 0 ? 0 : num(rows[0]!.total_n);
  rows.sort(byKey);
  const reasons = shared ? sharedReasons(rows) : rows.map((r) => q.reason(r, o));
  const items = rows.map((r, i) => itemOf(id, r, reasons[i]!, q.action(r)));
  return { id, ...HYGIENE_DEFINITIONS[id], total, items: o.limit !== null ? items.slice(0, o.limit) : items };
}

export async function listHygiene(db: Sql, opts: HygieneOptions): Promise<Hygiene> {
  const o = resolveHygieneOptions(opts);
  const all = queries(o);
  const lists: HygieneList[] = [];
  for (const id of HYGIENE_LIST_IDS) lists.push(await runList(db, id, all[id], o));
  return { generatedAt: o.now, unusedDays: o.unusedDays, rotationDays: { ...o.rotationDays }, lists };
}
