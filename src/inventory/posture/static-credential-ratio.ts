// Static credential ratio: how much machine access still rests on long-lived secrets.
import type { Sql } from '../../store/index.ts';
import { METRIC_DEFINITIONS } from './metric-definitions.ts';
import type { ResolvedPostureOptions } from './posture-options.ts';
import { credentialRows, groupedCounts, ratio } from './posture-sql.ts';
import type { Metric } from './posture-types.ts';

export async function staticCredentialRatio(db: Sql, o: ResolvedPostureOptions): Promise<Metric> {
  const c = await groupedCounts(db, o.groupBy, {
    with: `WITH ${credentialRows(o.groupBy)}`,
    from: `cur WHERE cur.category = 'credential' AND cur.active = 1`,
    alias: 'cur',
    condition: 'cur.long_lived = 1',
  });
  const def = METRIC_DEFINITIONS.static_credential_ratio;
  return {
    id: 'static_credential_ratio', ...def,
    value: ratio(c.numerator, c.denominator),
    details: { longLived: c.numerator, active: c.denominator },
    ...(o.groupBy ? { groups: c.groups.map((g) => ({ ...g, value: ratio(g.numerator, g.denominator) })) } : {}),
  };
}
