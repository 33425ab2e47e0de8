// Drift since a point in time, read from what the imports recorded: new identities, new or
// widened privileges, credentials that newly expired while still active, removed items, and
// how each posture metric moved. The weekly report is this with since = 7 days ago.
import type { ChangeRow, ImportRow, InventoryRepo, StoredItem } from './inventory-repo.ts';

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
  truncated?: string;
}

// A first import of a large account adds everything; the report lists the first ones, not 200k rows.
const NEW_ITEMS_LIMIT = 5000;
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
  // New to the inventory in the window: first seen in it, or back after being removed.
  const comebacks = new Set(pick('added').map((c) => c.itemId));
  const fresh = await repo.firstSeenSince(opts.since, NEW_ITEMS_LIMIT);
  const back = await Promise.all([...comebacks].map((id) => repo.getItem(id)));
  const added = [...fresh.filter((i) => !comebacks.has(i.id)), ...back.filter((i) => i !== undefined)];
  const addedItem = (i: StoredItem, details?: Record<string, unknown>): DriftItem => ({
    nativeId: i.nativeId, at: iso(i.firstSeenAt >= opts.since ? i.firstSeenAt : i.updatedAt), importId: i.lastImport, name: i.name, kind: i.kind,
    owner: i.owner ?? null, ...(details ? { details } : {}),
  });
  const byId = (a: DriftItem, b: DriftItem) => a.nativeId.localeCompare(b.nativeId);
  return {
    since: iso(opts.since), until: iso(opts.now),
    imports: imports.reverse().map((i) => ({ id: i.id, feed: i.feed, at: iso(i.importedAt), added: i.added, changed: i.changed, removed: i.removed })),
    newIdentities: added.filter((i) => i.category === 'identity').map((i) => addedItem(i)).sort(byId),
    newCredentials: added.filter((i) => i.category === 'credential').map((i) => addedItem(i)).sort(byId),
    // Privileges of items new in the window are new privileges too, not only widened ones.
    newPrivileges: added.filter((i) => (i.privileges ?? []).length > 0).map((i) => addedItem(i, { privileges: i.privileges })).sort(byId),
    widenedPrivileges: pick('widened').map((c) => item(c, { privilegesAdded: c.fields.privilegesAdded })),
    expiredButActive: pick('expired-active').map((c) => item(c, { expiresAt: iso(Number(c.fields.expiresAt)) })),
    removed: pick('removed').map((c) => item(c)),
    changed: pick('changed').map((c) => item(c, c.fields)),
    metrics: await metricChanges(repo, opts.since),
    ...(fresh.length === NEW_ITEMS_LIMIT ? { truncated: `only the first ${NEW_ITEMS_LIMIT} new items are listed` } : {}),
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
