// Computes every posture metric over the current inventory. Each metric is a few aggregate
// queries (the store does the counting, the medians and the graph walk); nothing here loads
// the inventory row by row.
import type { Sql } from '../../store/index.ts';
import { resolvePostureOptions, type ResolvedPostureOptions } from './posture-options.ts';
import type { Metric, MetricId, Posture, PostureOptions } from './posture-types.ts';
import { METRIC_IDS } from './metric-definitions.ts';
import { staticCredentialRatio } from './static-credential-ratio.ts';
import { credentialHalfLife } from './credential-half-life.ts';
import { ownershipCoverage } from './ownership-coverage.ts';
import { privilegeRightSizing } from './privilege-right-sizing.ts';
import { graphSummary, type GraphSummary } from './graph-summary.ts';
import { credentialDays, type CredentialDay } from './credential-days.ts';
import { revocationMttr } from './revocation-mttr.ts';
import { blastRadius } from './blast-radius.ts';
import { exceptionDebt } from './exception-debt.ts';

/** Work several metrics share, done once per computePosture call and only when needed. */
interface Shared { graph(): Promise<GraphSummary>; credentialDays(): Promise<CredentialDay[]> }

const COMPUTE: Record<MetricId, (db: Sql, o: ResolvedPostureOptions, shared: Shared) => Promise<Metric>> = {
  static_credential_ratio: async (_db, o, shared) => staticCredentialRatio(o, await shared.credentialDays()),
  credential_half_life_days: async (db, o, shared) => credentialHalfLife(db, o, await shared.credentialDays()),
  ownership_coverage: ownershipCoverage,
  privilege_right_sizing: async (_db, o, shared) => privilegeRightSizing(o, await shared.graph()),
  revocation_mttr_ms: revocationMttr,
  blast_radius: async (_db, o, shared) => blastRadius(o, await shared.graph()),
  exception_debt: exceptionDebt,
};

export async function computePosture(db: Sql, opts: PostureOptions): Promise<Posture> {
  const o = resolvePostureOptions(opts);
  // One after another: on SQLite they share one reader connection anyway, and on PostgreSQL
  // seven concurrent graph walks would take seven pool connections from the server.
  let graph: Promise<GraphSummary> | undefined;
  let days: Promise<CredentialDay[]> | undefined;
  const shared: Shared = {
    graph: () => (graph ??= graphSummary(db, o)),
    credentialDays: () => (days ??= credentialDays(db, o.groupBy)),
  };
  const metrics: Metric[] = [];
  for (const id of METRIC_IDS) metrics.push(await COMPUTE[id](db, o, shared));
  return { generatedAt: o.now, groupBy: o.groupBy, metrics };
}
