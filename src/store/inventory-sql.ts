import type { ChangeRow, FeedRow, ImportRow, InventoryRepo, StoredItem } from '../inventory/inventory-repo.ts';
import type { Edge, Privilege, SourceKind } from '../inventory/types.ts';
import type { Sql } from './sql.ts';
import { sqlOf } from './write-queue.ts';

const ITEM_COLS = ['id', 'feed', 'source', 'native_id', 'category', 'kind', 'name', 'parent_id', 'owner', 'service', 'environment', 'tier',
  'created_at', 'last_rotated_at', 'last_used_at', 'expires_at', 'active', 'long_lived', 'federated', 'wildcard', 'attributes',
  'content_hash', 'first_seen_at', 'updated_at', 'last_import', 'removed_at'] as const;
const IMPORT_COLS = 'id, feed, source, scope, imported_at, imported_by, digest, records, added, changed, removed, unchanged';
// Rows per multi-row statement: under SQLite's 32,766 and PostgreSQL's 65,535 bound parameters.
const BATCH = 400;

type R = Record<string, unknown>;
const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const bool = (v: unknown) => v === 1 || v === true || v === '1';

const itemFromRow = (r: R): StoredItem => ({
  id: r.id as string, feed: r.feed as string, source: r.source as SourceKind, nativeId: r.native_id as string,
  category: r.category as StoredItem['category'], kind: r.kind as StoredItem['kind'], name: r.name as string,
  parentId: (r.parent_id as string | null) ?? null, owner: (r.owner as string | null) ?? null, service: (r.service as string | null) ?? null,
  environment: (r.environment as string | null) ?? null, tier: (r.tier as string | null) ?? null,
  createdAt: num(r.created_at), lastRotatedAt: num(r.last_rotated_at), lastUsedAt: num(r.last_used_at), expiresAt: num(r.expires_at),
  active: bool(r.active), longLived: bool(r.long_lived), federated: bool(r.federated),
  attributes: JSON.parse(r.attributes as string) as Record<string, unknown>, contentHash: r.content_hash as string,
  firstSeenAt: Number(r.first_seen_at), updatedAt: Number(r.updated_at), lastImport: r.last_import as string, removedAt: num(r.removed_at),
  workload: (r.workload as string | null | undefined) ?? null,
});

const itemValues = (i: StoredItem): unknown[] => [
  i.id, i.feed, i.source, i.nativeId, i.category, i.kind, i.name, i.parentId ?? null, i.owner ?? null, i.service ?? null,
  i.environment ?? null, i.tier ?? null, i.createdAt ?? null, i.lastRotatedAt ?? null, i.lastUsedAt ?? null, i.expiresAt ?? null,
  i.active ? 1 : 0, i.longLived ? 1 : 0, i.federated ? 1 : 0, (i.privileges ?? []).some((p) => p.wildcard) ? 1 : 0,
  JSON.stringify(i.attributes ?? {}), i.contentHash, i.firstSeenAt, i.updatedAt, i.lastImport, i.removedAt,
];

const importFromRow = (r: R): ImportRow => ({
  id: r.id as string, feed: r.feed as string, source: r.source as SourceKind, scope: r.scope as string,
  importedAt: Number(r.imported_at), importedBy: r.imported_by as string, digest: r.digest as string, records: Number(r.records),
  added: Number(r.added), changed: Number(r.changed), removed: Number(r.removed), unchanged: Number(r.unchanged),
});

/** `($1, $2, …), ($n+1, …)` for `rows` rows of `width` columns. */
const placeholderCache = new Map<string, string>();
function placeholders(rows: number, width: number): string {
  const key = `${rows}x${width}`;
  const hit = placeholderCache.get(key);
  if (hit) return hit;
  const out: string[] = [];
  for (let r = 0; r < rows; r++) {
    const cells: string[] = [];
    for (let c = 1; c <= width; c++) cells.push(`$${r * width + c}`);
    out.push(`(${cells.join(', ')})`);
  }
  const text = out.join(', ');
  if (placeholderCache.size < 64) placeholderCache.set(key, text);
  return text;
}

async function insertMany(sql: Sql, table: string, cols: readonly string[], rows: unknown[][], suffix = ''): Promise<void> {
  for (let i = 0; i < rows.length; i += BATCH) {
    const chunk = rows.slice(i, i + BATCH);
    await sql.run(`INSERT INTO ${table} (${cols.join(', ')}) VALUES ${placeholders(chunk.length, cols.length)}${suffix}`, chunk.flat());
  }
}

async function deleteIn(sql: Sql, table: string, col: string, ids: string[]): Promise<void> {
  for (let i = 0; i < ids.length; i += BATCH) {
    const chunk = ids.slice(i, i + BATCH);
    await sql.run(`DELETE FROM ${table} WHERE ${col} IN (${chunk.map((_, k) => `$${k + 1}`).join(', ')})`, chunk);
  }
}

export function inventoryRepo(db: Sql): InventoryRepo {
  const select = `SELECT i.*, l.workload FROM inventory_items i LEFT JOIN inventory_links l ON l.native_id = i.native_id`;
  const details = async (sql: Sql, item: StoredItem): Promise<StoredItem> => {
    const privs = await sql.all<R>('SELECT action, resource, wildcard, sensitive FROM inventory_privileges WHERE item_id = $1 ORDER BY action, resource', [item.id]);
    const edges = await sql.all<R>('SELECT from_id, to_id, relation FROM inventory_edges WHERE item_id = $1 ORDER BY from_id, to_id, relation', [item.id]);
    item.privileges = privs.map((p): Privilege => ({ action: p.action as string, resource: p.resource as string, wildcard: bool(p.wildcard), sensitive: bool(p.sensitive) }));
    item.edges = edges.map((e): Edge => ({ from: e.from_id as string, to: e.to_id as string, relation: e.relation as Edge['relation'] }));
    return item;
  };
  return {
    async feedRows(tx, feed) {
      const rows = await sqlOf(tx).all<R>('SELECT id, native_id, content_hash, active, expires_at, removed_at FROM inventory_items WHERE feed = $1', [feed]);
      return rows.map((r): FeedRow => ({
        id: r.id as string, nativeId: r.native_id as string, contentHash: r.content_hash as string, active: bool(r.active),
        expiresAt: num(r.expires_at), removedAt: num(r.removed_at),
      }));
    },
    async lastImport(feed) {
      const r = await db.get<R>(`SELECT ${IMPORT_COLS} FROM inventory_imports WHERE feed = $1 ORDER BY imported_at DESC, id DESC LIMIT 1`, [feed]);
      return r ? importFromRow(r) : undefined;
    },
    async getItem(id, tx) {
      const sql = tx ? sqlOf(tx) : db;
      const r = await sql.get<R>(`${select} WHERE i.id = $1`, [id]);
      return r ? details(sql, itemFromRow(r)) : undefined;
    },
    async findByNativeId(nativeId) {
      const rows = await db.all<R>(`${select} WHERE i.native_id = $1 ORDER BY i.feed`, [nativeId]);
      return Promise.all(rows.map((r) => details(db, itemFromRow(r))));
    },
    async upsertItems(tx, items, replacing) {
      if (items.length === 0) return;
      const sql = sqlOf(tx);
      const ids = replacing ?? items.map((i) => i.id);
      await deleteIn(sql, 'inventory_privileges', 'item_id', ids);
      await deleteIn(sql, 'inventory_edges', 'item_id', ids);
      const update = ITEM_COLS.filter((c) => c !== 'id' && c !== 'first_seen_at').map((c) => `${c} = excluded.${c}`).join(', ');
      await insertMany(sql, 'inventory_items', ITEM_COLS, items.map(itemValues), ` ON CONFLICT (id) DO UPDATE SET ${update}`);
      await insertMany(sql, 'inventory_privileges', ['item_id', 'action', 'resource', 'wildcard', 'sensitive'],
        items.flatMap((i) => (i.privileges ?? []).map((p) => [i.id, p.action, p.resource, p.wildcard ? 1 : 0, p.sensitive ? 1 : 0])));
      await insertMany(sql, 'inventory_edges', ['item_id', 'from_id', 'to_id', 'relation'],
        items.flatMap((i) => (i.edges ?? []).map((e) => [i.id, e.from, e.to, e.relation])));
    },
    async markRemoved(tx, ids, at, importId) {
      const sql = sqlOf(tx);
      for (let i = 0; i < ids.length; i += BATCH) {
        const chunk = ids.slice(i, i + BATCH);
        await sql.run(`UPDATE inventory_items SET removed_at = $1, updated_at = $1, last_import = $2 WHERE id IN (${chunk.map((_, k) => `$${k + 3}`).join(', ')})`,
          [at, importId, ...chunk]);
      }
    },
    async insertChanges(tx, changes) {
      await insertMany(sqlOf(tx), 'inventory_changes', ['import_id', 'at', 'item_id', 'native_id', 'change', 'fields'],
        changes.map((c) => [c.importId, c.at, c.itemId, c.nativeId, c.change, JSON.stringify(c.fields)]));
    },
    async insertImport(tx, r) {
      await sqlOf(tx).run(`INSERT INTO inventory_imports (${IMPORT_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
        [r.id, r.feed, r.source, r.scope, r.importedAt, r.importedBy, r.digest, r.records, r.added, r.changed, r.removed, r.unchanged]);
    },
    async listImports(limit, since = 0) {
      const rows = await db.all<R>(`SELECT ${IMPORT_COLS} FROM inventory_imports WHERE imported_at >= $1 ORDER BY imported_at DESC, id DESC LIMIT $2`, [since, limit]);
      return rows.map(importFromRow);
    },
    async getImport(id) {
      const r = await db.get<R>(`SELECT ${IMPORT_COLS} FROM inventory_imports WHERE id = $1`, [id]);
      return r ? importFromRow(r) : undefined;
    },
    async listItems(f, page) {
      const where: string[] = [];
      const params: unknown[] = [];
      const add = (clause: string, v: unknown) => { params.push(v); where.push(clause.replace('?', `$${params.length}`)); };
      if (!f.includeRemoved) where.push('i.removed_at IS NULL');
      if (f.source) add('i.source = ?', f.source);
      if (f.category) add('i.category = ?', f.category);
      if (f.owner) add('i.owner = ?', f.owner);
      if (f.workload) add('l.workload = ?', f.workload);
      if (page.after) add('i.id > ?', page.after);
      params.push(page.limit);
      const rows = await db.all<R>(`${select}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY i.id LIMIT $${params.length}`, params);
      return rows.map(itemFromRow);
    },
    async changesSince(since) {
      const rows = await db.all<R>('SELECT import_id, at, item_id, native_id, change, fields FROM inventory_changes WHERE at >= $1 ORDER BY at, import_id, native_id, change', [since]);
      return rows.map((r): ChangeRow => ({
        importId: r.import_id as string, at: Number(r.at), itemId: r.item_id as string, nativeId: r.native_id as string,
        change: r.change as ChangeRow['change'], fields: JSON.parse(r.fields as string) as Record<string, unknown>,
      }));
    },
    async firstSeenSince(since, limit) {
      const rows = await db.all<R>(`${select} WHERE i.first_seen_at >= $1 ORDER BY i.first_seen_at, i.native_id LIMIT $2`, [since, limit]);
      return Promise.all(rows.map((r) => details(db, itemFromRow(r))));
    },
    async link(tx, nativeId, workload, rule, at, by) {
      await sqlOf(tx).run(`INSERT INTO inventory_links (native_id, workload, rule, created_at, created_by) VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (native_id) DO UPDATE SET workload = excluded.workload, rule = excluded.rule, created_at = excluded.created_at, created_by = excluded.created_by`,
      [nativeId, workload, rule, at, by]);
    },
    async unlink(tx, nativeId) {
      return (await sqlOf(tx).run('DELETE FROM inventory_links WHERE native_id = $1', [nativeId])) > 0;
    },
    async links(workload) {
      const rows = workload === undefined
        ? await db.all<R>('SELECT native_id, workload, rule FROM inventory_links ORDER BY workload, native_id')
        : await db.all<R>('SELECT native_id, workload, rule FROM inventory_links WHERE workload = $1 ORDER BY native_id', [workload]);
      return rows.map((r) => ({ nativeId: r.native_id as string, workload: r.workload as string, rule: r.rule as string }));
    },
    async insertHistory(tx, rows) {
      await insertMany(sqlOf(tx), 'posture_history', ['import_id', 'taken_at', 'metric', 'group_by', 'group_value', 'value'],
        rows.map((r) => [r.importId, r.takenAt, r.metric, r.groupBy, r.groupValue, r.value]));
    },
    async history(since, metric) {
      const rows = metric === undefined
        ? await db.all<R>('SELECT import_id, taken_at, metric, group_by, group_value, value FROM posture_history WHERE taken_at >= $1 ORDER BY taken_at, metric, group_by, group_value', [since])
        : await db.all<R>('SELECT import_id, taken_at, metric, group_by, group_value, value FROM posture_history WHERE taken_at >= $1 AND metric = $2 ORDER BY taken_at, group_by, group_value', [since, metric]);
      return rows.map((r) => ({
        importId: r.import_id as string, takenAt: Number(r.taken_at), metric: r.metric as string, groupBy: r.group_by as string,
        groupValue: r.group_value as string, value: num(r.value),
      }));
    },
  };
}
