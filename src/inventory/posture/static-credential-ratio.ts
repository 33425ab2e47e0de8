// Static credential ratio: how much machine access still rests on long-lived secrets.
import { METRIC_DEFINITIONS } from './metric-definitions.ts';
import type { ResolvedPostureOptions } from './posture-options.ts';
import type { CredentialDay } from './credential-days.ts';
import { ratio, sortGroups } from './posture-sql.ts';
import type { Metric } from './posture-types.ts';

/** Sums the shared per-day counts of active credentials per group (one group '' when not grouping). */
export function staticCredentialRatio(o: ResolvedPostureOptions, days: readonly CredentialDay[]): Metric {
  const byGroup = new Map<string, { numerator: number; denominator: number }>();
  for (const d of days) {
    const g = byGroup.get(d.grp) ?? { numerator: 0, denominator: 0 };
    g.numerator += d.longLived;
    g.denominator += d.n;
    byGroup.set(d.grp, g);
  }
  const groups = sortGroups([...byGroup].map(([group, c]) => ({ group, ...c })));
  const numerator = groups.reduce((s, g) => s + g.numerator, 0);
  const denominator = groups.reduce((s, g) => s + g.denominator, 0);
  const def = METRIC_DEFINITIONS.static_credential_ratio;
  return {
    id: 'static_credential_ratio', ...def,
    value: ratio(numerator, denominator),
    details: { longLived: numerator, active: denominator },
    ...(o.groupBy ? { groups: groups.map((g) => ({ ...g, value: ratio(g.numerator, g.denominator) })) } : {}),
  };
}
