// Blast radius: what one stolen identity reaches, following role assumption, group membership
// and RBAC bindings as a graph.
import type { Sql } from '../../store/index.ts';
import { METRIC_DEFINITIONS } from './metric-definitions.ts';
import type { ResolvedPostureOptions } from './posture-options.ts';
import { POSTURE_DEFAULTS } from './posture-defaults.ts';
import { groupExpr, num, reachCtes, sortGroups } from './posture-sql.ts';
import { identityItems } from './identity-items.ts';
import type { Metric } from './posture-types.ts';

export async function blastRadius(db: Sql, o: ResolvedPostureOptions): Promise<Metric> {
  const ctes = `WITH RECURSIVE ${reachCtes(POSTURE_DEFAULTS.maxDepth)}`;
  const g = o.groupBy ? groupExpr(o.groupBy, 'ids') : null;
  const rows = await db.all<{ grp?: string; top: unknown; n: unknown }>(`${ctes}
    SELECT ${g ? `${g} AS grp, ` : ''}MAX(COALESCE(sens.n, 0)) AS top, COUNT(*) AS n
    FROM ids LEFT JOIN sens ON sens.root = ids.id${g ? ` GROUP BY ${g}` : ''}`);
  const groups = rows.filter((r) => num(r.n) > 0)
    .map((r) => ({ group: String(r.grp ?? ''), value: num(r.top), denominator: num(r.n) }));
  const identities = groups.reduce((s, r) => s + r.denominator, 0);
  const items = await identityItems(db, `${ctes}
    SELECT ids.*, sens.n AS score FROM ids JOIN sens ON sens.root = ids.id
    ORDER BY sens.n DESC, ids.native_id
    LIMIT $1`, [POSTURE_DEFAULTS.blastRadiusTop]);
  return {
    id: 'blast_radius', ...METRIC_DEFINITIONS.blast_radius,
    value: identities === 0 ? null : Math.max(...groups.map((r) => r.value)),
    details: { identities },
    items,
    ...(g ? { groups: sortGroups(groups) } : {}),
  };
}
