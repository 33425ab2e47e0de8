// Policy exception debt: every open exception is a rule not enforced; their number and age show
// whether exceptions are paid back or pile up. Exceptions have an owner but no tier or
// environment, so only --by owner groups them.
import type { Sql } from '../../store/index.ts';
import { METRIC_DEFINITIONS } from './metric-definitions.ts';
import type { ResolvedPostureOptions } from './posture-options.ts';
import { DAY_MS } from './posture-defaults.ts';
import { num, sortGroups } from './posture-sql.ts';
import { UNSET_GROUP, type Metric } from './posture-types.ts';

export async function exceptionDebt(db: Sql, o: ResolvedPostureOptions): Promise<Metric> {
  const byOwner = o.groupBy === 'owner';
  const g = `COALESCE(NULLIF(TRIM(owner), ''), '${UNSET_GROUP}')`;
  const rows = await db.all<{ grp?: string; n: unknown; age_sum: unknown; age_max: unknown }>(
    `SELECT ${byOwner ? `${g} AS grp, ` : ''}COUNT(*) AS n, COALESCE(SUM($1 - created_at), 0) AS age_sum, MAX($1 - created_at) AS age_max
     FROM policy_exceptions WHERE revoked_at IS NULL AND expires_at > $1${byOwner ? ` GROUP BY ${g}` : ''}`, [o.now]);
  const groups = rows.filter((r) => num(r.n) > 0).map((r) => ({
    group: String(r.grp ?? ''), n: num(r.n), ageSum: num(r.age_sum), ageMax: num(r.age_max),
  }));
  const n = groups.reduce((s, r) => s + r.n, 0);
  const ageSum = groups.reduce((s, r) => s + r.ageSum, 0);
  return {
    id: 'exception_debt', ...METRIC_DEFINITIONS.exception_debt,
    value: n,
    details: {
      meanAgeDays: n === 0 ? null : ageSum / n / DAY_MS,
      maxAgeDays: n === 0 ? null : Math.max(...groups.map((r) => r.ageMax)) / DAY_MS,
    },
    ...(byOwner ? { groups: sortGroups(groups.map((r) => ({ group: r.group, value: r.n }))) } : {}),
  };
}
