// Correlation: the same workload seen in several systems (an `etl-service` IAM role and an
// `etl-worker` Kubernetes service account) gets one workload name, so ownership and blast radius
// are per workload, not per account. Rules run in order; a link that exists (manual or from an
// earlier run) is never overwritten by a rule — only `link`/`unlink` change it.
import type { Tx } from '../shared/tx.ts';
import { sqlOf } from '../store/index.ts';
import type { InventoryRepo } from './inventory-repo.ts';

export type CorrelationRule = 'service-tag' | 'name';
export const CORRELATION_RULES: readonly CorrelationRule[] = ['service-tag', 'name'];

/** Words that say what kind of account it is, not which workload: dropped from the end of a name. */
const ROLE_WORDS = new Set(['service', 'svc', 'worker', 'sa', 'role', 'user', 'bot', 'job', 'app', 'deployer', 'runner', 'account', 'identity', 'key']);
const ENV_WORDS = new Set(['prod', 'production', 'prd', 'staging', 'stage', 'stg', 'dev', 'development', 'test', 'qa', 'sandbox']);

/** "etl-service" → "etl"; "etl-worker@p.iam.gserviceaccount.com" → "etl"; "ci" stays "ci". */
export function workloadKey(name: string): string | undefined {
  const local = name.split('@')[0]!.split('/').at(-1)!.toLowerCase();
  const words = local.split(/[-_.\s]+/).filter((w) => w !== '' && !ENV_WORDS.has(w));
  while (words.length > 1 && ROLE_WORDS.has(words.at(-1)!)) words.pop();
  const key = words.join('-');
  return key.length >= 2 && !ROLE_WORDS.has(key) ? key : undefined;
}

export interface CorrelationResult { linked: { nativeId: string; workload: string; rule: CorrelationRule }[] }

/**
 * Links current identities that have no link yet. `service-tag` uses the service/app tag the
 * platform exported; `name` links identities only when two or more sources share the same
 * workload key — a name alone, seen in one system, says nothing new.
 */
export async function correlate(tx: Tx, repo: InventoryRepo, opts: { rules: readonly CorrelationRule[]; at: number; by: string }): Promise<CorrelationResult> {
  const rows = await sqlOf(tx).all<{ native_id: string; name: string; service: string | null; source: string }>(
    `SELECT i.native_id, i.name, i.service, i.source FROM inventory_items i LEFT JOIN inventory_links l ON l.native_id = i.native_id
     WHERE i.category = 'identity' AND i.removed_at IS NULL AND l.native_id IS NULL ORDER BY i.native_id`);
  const linked: CorrelationResult['linked'] = [];
  const done = new Set<string>();
  for (const rule of opts.rules) {
    if (rule === 'service-tag') {
      for (const r of rows) {
        if (done.has(r.native_id) || !r.service) continue;
        linked.push({ nativeId: r.native_id, workload: r.service.toLowerCase(), rule });
        done.add(r.native_id);
      }
    } else {
      const groups = new Map<string, { ids: string[]; sources: Set<string> }>();
      for (const r of rows) {
        if (done.has(r.native_id)) continue;
        const key = workloadKey(r.name);
        if (!key) continue;
        const g = groups.get(key) ?? { ids: [], sources: new Set<string>() };
        g.ids.push(r.native_id); g.sources.add(r.source);
        groups.set(key, g);
      }
      for (const [key, g] of groups) {
        if (g.sources.size < 2) continue;
        for (const id of g.ids) { linked.push({ nativeId: id, workload: key, rule }); done.add(id); }
      }
    }
  }
  for (const l of linked) await repo.link(tx, l.nativeId, l.workload, l.rule, opts.at, opts.by);
  return { linked };
}
