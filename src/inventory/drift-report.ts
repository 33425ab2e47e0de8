// Drift since a point in time, read from what the imports recorded: new identities, new or
// widened privileges, credentials that newly expired while still active, removed items, and
// how each posture metric moved. The weekly report is this with since = 7 days ago.
import type { ChangeRow, ImportRow, InventoryRepo } from './inventory-repo.ts';

export interface DriftItem {
  nativeId: string;
  at: string;
  importId: string;
  name?: string | undefined;
  kind?: string | undefined;
  owner?: string | null | undefined;
  details?: Record<string, unknown> | undefined;
}

export interface MetricChange {
  metric: string;
  before: number | null;
  after: number | null;
  delta: number | null;
}

export interface DriftReport {
  since: string;
  until: string;
  imports: { id: string; feed: string; at: string; added: number; changed: number; removed: number }[];
  newIdentities: DriftItem[];
  newCredentials: DriftItem[];
  newPrivileges: DriftItem[];
  widenedPrivileges: DriftItem[];
  expiredButActive: DriftItem[];
  removed: DriftItem[];
  changed: DriftItem[];
  metrics: MetricChange[];
}

const iso = (t: number) => new Date(t).toISOString();

export async function driftReport(repo: InventoryRepo, opts: { since: number; now: number }): Promise<DriftReport> {
  const changes = await repo.changesSince(opts.since);
  const imports: ImportRow[] = await repo.listImports(10_000, opts.since);
  const pick = (kind: ChangeRow['change']) => changes.filter((c) => c.change === kind);
  const item = (c: ChangeRow, details?: Record<string, unknown>): DriftItem => ({
    nativeId: c.nativeId, at: iso(c.at), importId: c.importId,
    ...(typeof c.fields.name === 'string' ? { name: c.fields.name } : {}),
    ...(typeof c.fields.kind === 'string' ? { kind: c.fields.kind } : {}),
    ...(c.fields.owner !== undefined ? { owner: c.fields.owner as string | null } : {}),
    ...(details ? { details } : {}),
  });
  const added = pick('added');
  // Privileges of items new in the window are new privileges too, not only widened ones.
  const newPrivileges: DriftItem[] = [];
  for (const c of added) {
    const current = await repo.getItem(c.itemId);
    if (current && (current.privileges ?? []).length > 0) newPrivileges.push(item(c, { privileges: current.privileges }));
  }
  return {
    since: iso(opts.since), until: iso(opts.now),
    imports: imports.reverse().map((i) => ({ id: i.id, feed: i.feed, at: iso(i.importedAt), added: i.added, changed: i.changed, removed: i.removed })),
    newIdentities: added.filter((c) => c.fields.category === 'identity').map((c) => item(c)),
    newCredentials: added.filter((c) => c.fields.category === 'credential').map((c) => item(c)),
    newPrivileges,
    widenedPrivileges: pick('widened').map((c) => item(c, { privilegesAdded: c.fields.privilegesAdded })),
    expiredButActive: pick('expired-active').map((c) => item(c, { expiresAt: iso(Number(c.fields.expiresAt)) })),
    removed: pick('removed').map((c) => item(c)),
    changed: pick('changed').map((c) => item(c, c.fields)),
    metrics: await metricChanges(repo, opts.since),
  };
}

/** Overall value of each metric at the first snapshot at or before `since` (or the first after it) vs the latest. */
async function metricChanges(repo: InventoryRepo, since: number): Promise<MetricChange[]> {
  const rows = (await repo.history(0)).filter((r) => r.groupBy === 'all');
  const byMetric = new Map<string, { takenAt: number; value: number | null }[]>();
  for (const r of rows) {
    const list = byMetric.get(r.metric) ?? [];
    list.push({ takenAt: r.takenAt, value: r.value });
    byMetric.set(r.metric, list);
  }
  const out: MetricChange[] = [];
  for (const [metric, list] of byMetric) {
    const inWindow = list.filter((x) => x.takenAt >= since);
    if (inWindow.length === 0) continue;
    const baseline = list.filter((x) => x.takenAt < since).at(-1) ?? inWindow[0]!;
    const before = baseline.value, after = inWindow.at(-1)!.value;
    out.push({ metric, before, after, delta: before === null || after === null ? null : round(after - before) });
  }
  return out.sort((a, b) => a.metric.localeCompare(b.metric));
}

const round = (n: number) => Math.round(n * 1e6) / 1e6;
