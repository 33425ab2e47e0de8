// Each import stores the posture metrics of the inventory it leaves behind (overall and per
// tier), so the dashboard can plot their trend and drift can say how they moved.
import type { Tx } from '../shared/tx.ts';
import { sqlOf } from '../store/index.ts';
import type { InventoryRepo } from './inventory-repo.ts';
import { computePosture } from './posture/compute-posture.ts';

export async function recordPostureHistory(tx: Tx, repo: InventoryRepo, opts: { importId: string; now: number; unusedDays: number }): Promise<void> {
  const sql = sqlOf(tx);
  // One pass: each metric carries its overall value and its per-tier groups.
  const byTier = await computePosture(sql, { now: opts.now, groupBy: 'tier', unusedDays: opts.unusedDays });
  const rows = byTier.metrics.map((m) => ({ importId: opts.importId, takenAt: opts.now, metric: m.id, groupBy: 'all', groupValue: '', value: m.value }));
  for (const m of byTier.metrics) {
    for (const g of m.groups ?? []) rows.push({ importId: opts.importId, takenAt: opts.now, metric: m.id, groupBy: 'tier', groupValue: g.group, value: g.value });
  }
  await repo.insertHistory(tx, rows);
}
