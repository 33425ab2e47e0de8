// Ownership coverage: an identity nobody answers for, or that maps to no service, cannot be
// rotated, right-sized or retired safely.
import type { Sql } from '../../store/index.ts';
import { METRIC_DEFINITIONS } from './metric-definitions.ts';
import type { ResolvedPostureOptions } from './posture-options.ts';
import { CURRENT_ROWS, PRINCIPAL_KINDS, groupedCounts, ratio } from './posture-sql.ts';
import type { Metric } from './posture-types.ts';

export async function ownershipCoverage(db: Sql, o: ResolvedPostureOptions): Promise<Metric> {
  const c = await groupedCounts(db, o.groupBy, {
    with: `WITH ${CURRENT_ROWS}`,
    from: `cur WHERE cur.category = 'identity' AND cur.active = 1 AND cur.${PRINCIPAL_KINDS}`,
    alias: 'cur',
    condition: `cur.owner IS NOT NULL AND (cur.service IS NOT NULL
      OR EXISTS (SELECT 1 FROM inventory_links l WHERE l.native_id = cur.native_id))`,
  });
  const def = METRIC_DEFINITIONS.ownership_coverage;
  return {
    id: 'ownership_coverage', ...def,
    value: ratio(c.numerator, c.denominator, 100),
    details: { covered: c.numerator, identities: c.denominator },
    ...(o.groupBy ? { groups: c.groups.map((g) => ({ ...g, value: ratio(g.numerator, g.denominator, 100) })) } : {}),
  };
}
