// Reads the identity rows a metric lists (ids.* plus a score) into MetricItems.
import type { Sql } from '../../store/index.ts';
import { num } from './posture-sql.ts';
import type { MetricItem } from './posture-types.ts';

interface Row {
  native_id: string; name: string; source: string; kind: string;
  owner: string | null; tier: string | null; environment: string | null; score: unknown;
}

export async function identityItems(db: Sql, sql: string, params: readonly unknown[]): Promise<MetricItem[]> {
  return (await db.all<Row>(sql, params)).map((r) => ({
    nativeId: r.native_id, name: r.name, source: r.source, kind: r.kind,
    owner: r.owner, tier: r.tier, environment: r.environment, value: num(r.score),
  }));
}
