// Privilege right-sizing: identities that can do anything somewhere, directly or through the
// roles and groups they can assume, join or are bound to.
import type { Sql } from '../../store/index.ts';
import { METRIC_DEFINITIONS } from './metric-definitions.ts';
import type { ResolvedPostureOptions } from './posture-options.ts';
import { POSTURE_DEFAULTS } from './posture-defaults.ts';
import { groupedCounts, reachCtes } from './posture-sql.ts';
import { identityItems } from './identity-items.ts';
import type { Metric } from './posture-types.ts';

export async function privilegeRightSizing(db: Sql, o: ResolvedPostureOptions): Promise<Metric> {
  const ctes = `WITH RECURSIVE ${reachCtes(POSTURE_DEFAULTS.maxDepth)}`;
  const c = await groupedCounts(db, o.groupBy, {
    with: ctes,
    from: 'ids',
    alias: 'ids',
    condition: 'ids.id IN (SELECT root FROM wild)',
  });
  // High-risk first: tier 1 before 2 before 3 before untiered, then the most sensitive reach.
  const items = await identityItems(db, `${ctes}
    SELECT ids.*, COALESCE(sens.n, 0) AS score FROM ids
    JOIN wild ON wild.root = ids.id
    LEFT JOIN sens ON sens.root = ids.id
    ORDER BY CASE WHEN ids.tier IS NULL THEN 1 ELSE 0 END, ids.tier, COALESCE(sens.n, 0) DESC, ids.native_id
    LIMIT $1`, [o.listLimit]);
  return {
    id: 'privilege_right_sizing', ...METRIC_DEFINITIONS.privilege_right_sizing,
    value: c.numerator,
    details: { identities: c.denominator, listed: items.length },
    items,
    ...(o.groupBy ? { groups: c.groups.map((g) => ({ ...g, value: g.numerator })) } : {}),
  };
}
