// One import = one transaction: the export's records are compared with what the feed held,
// only new or changed rows are written, rows the export no longer has are marked removed, and
// every change is recorded for drift. An error anywhere (a bad row at record 150,000) rolls the
// whole import back: nothing is half-imported.
import { createHash } from 'node:crypto';
import type { Clock } from '../shared/clock.ts';
import type { RequestContext } from '../shared/context.ts';
import type { Tx } from '../shared/tx.ts';
import { TesseraError } from '../shared/errors.ts';
import type { ChangeRow, ImportRow, InventoryRepo, StoredItem } from './inventory-repo.ts';
import type { ImportRun, InventoryRecord, SourceKind } from './types.ts';
import { canonical, contentHash, diffRecords, expiredButActive } from './record-fields.ts';

export interface ImportDeps {
  store: { inventory: InventoryRepo; write<T>(fn: (tx: Tx) => Promise<T>): Promise<T> };
  clock: Clock;
  /** Runs inside the import's transaction once the inventory is updated (posture history). */
  afterImport?: ((tx: Tx, importId: string, at: number) => Promise<void>) | undefined;
}

export interface ImportRequest {
  source: SourceKind;
  run: ImportRun;
  /** sha256 of the export's bytes, known once the input has been read. */
  digest: () => string;
  onProgress?: ((records: number) => void) | undefined;
}

export interface ImportResult {
  import: ImportRow;
  /** The same bytes as the feed's last import: nothing was written. */
  duplicate: boolean;
  widened: number;
  expiredActive: number;
}

const WRITE_BATCH = 400;
const PROGRESS_EVERY = 10_000;

export const itemId = (feed: string, nativeId: string) => createHash('sha256').update(`${feed}\u0000${nativeId}`).digest('base64url').slice(0, 32);

function checkRecord(r: InventoryRecord, n: number): void {
  if (typeof r.nativeId !== 'string' || r.nativeId.length === 0 || r.nativeId.length > 2048) {
    throw new TesseraError('ERR_INVALID_INPUT', `record ${n}: the native id is missing or longer than 2048 characters`, { field: 'nativeId', rule: 'required' });
  }
}

export async function applyImport(deps: ImportDeps, ctx: RequestContext, req: ImportRequest): Promise<ImportResult> {
  const inv = deps.store.inventory;
  const iterator = req.run.records[Symbol.asyncIterator]();
  return deps.store.write(async (tx) => {
    const now = deps.clock.now();
    const importId = `imp_${now.toString(36)}_${createHash('sha256').update(`${Math.random()}${now}`).digest('hex').slice(0, 8)}`;
    // The scope (account, cluster …) is known once the first record is read.
    let next = await iterator.next();
    const scope = req.run.scope();
    const feed = `${req.source}:${scope}`;
    const last = await inv.lastImport(feed);
    const existing = new Map((await inv.feedRows(tx, feed)).map((r) => [r.nativeId, r]));
    const seen = new Set<string>();
    const changes: ChangeRow[] = [];
    const pending: StoredItem[] = [];
    const replacing: string[] = []; // ids in `pending` that had rows before (their details are replaced)
    let records = 0, added = 0, changed = 0, unchanged = 0, widened = 0, expiredActive = 0;
    const note = (item: { id: string; nativeId: string }, change: ChangeRow['change'], fields: Record<string, unknown>) =>
      changes.push({ importId, at: now, itemId: item.id, nativeId: item.nativeId, change, fields });
    const flush = async () => { await inv.upsertItems(tx, pending.splice(0), replacing.splice(0)); };

    for (; !next.done; next = await iterator.next()) {
      const record = next.value;
      records++;
      checkRecord(record, records);
      if (seen.has(record.nativeId)) {
        throw new TesseraError('ERR_INVALID_INPUT', `record ${records}: ${record.nativeId} appears twice in this export`, { field: 'nativeId', rule: 'duplicate' });
      }
      seen.add(record.nativeId);
      const c = canonical(record);
      const hash = contentHash(c);
      const old = existing.get(record.nativeId);
      const id = old?.id ?? itemId(feed, record.nativeId);
      const nowExpired = expiredButActive(c, now);
      if (old && old.removedAt === null && old.contentHash === hash) {
        unchanged++;
        // Time alone can expire a credential that is still active.
        if (nowExpired && !(last && expiredButActive(old, last.importedAt))) { expiredActive++; note({ id, nativeId: c.nativeId }, 'expired-active', { expiresAt: c.expiresAt }); }
      } else {
        if (!old || old.removedAt !== null) {
          added++;
          // A brand-new item is found by drift through its first_seen_at; only a comeback needs a row.
          if (old) note({ id, nativeId: c.nativeId }, 'added', { category: c.category, kind: c.kind, name: c.name, owner: c.owner });
          if (nowExpired) { expiredActive++; note({ id, nativeId: c.nativeId }, 'expired-active', { expiresAt: c.expiresAt }); }
        } else {
          changed++;
          const before = (await inv.getItem(old.id, tx))!;
          const d = diffRecords(before, c);
          if (Object.keys(d.fields).length > 0 || d.lost.length > 0) note({ id, nativeId: c.nativeId }, 'changed', { ...d.fields, ...(d.lost.length ? { privilegesRemoved: d.lost } : {}) });
          if (d.gained.length > 0) { widened++; note({ id, nativeId: c.nativeId }, 'widened', { privilegesAdded: d.gained }); }
          if (nowExpired && !expiredButActive(before, last?.importedAt ?? 0)) { expiredActive++; note({ id, nativeId: c.nativeId }, 'expired-active', { expiresAt: c.expiresAt }); }
        }
        if (old) replacing.push(id);
        pending.push({
          ...c, id, feed, source: req.source, contentHash: hash, firstSeenAt: old && old.removedAt === null ? 0 : now,
          updatedAt: now, lastImport: importId, removedAt: null,
        });
        if (pending.length >= WRITE_BATCH) await flush();
      }
      if (records % PROGRESS_EVERY === 0) req.onProgress?.(records);
    }
    await flush();
    const gone = [...existing.values()].filter((r) => r.removedAt === null && !seen.has(r.nativeId));
    await inv.markRemoved(tx, gone.map((r) => r.id), now, importId);
    for (const r of gone) note(r, 'removed', {});
    const digest = req.digest();
    if (last && last.digest === digest && changes.length === 0) {
      return { import: last, duplicate: true, widened: 0, expiredActive: 0 };
    }
    const row: ImportRow = {
      id: importId, feed, source: req.source, scope, importedAt: now, importedBy: ctx.actor.id, digest,
      records, added, changed, removed: gone.length, unchanged,
    };
    await inv.insertImport(tx, row);
    await inv.insertChanges(tx, changes);
    await deps.afterImport?.(tx, importId, now);
    tx.audit(ctx, {
      action: 'inventory.import', outcome: 'success', target: feed,
      details: { importId, records, added, changed, removed: gone.length, unchanged, widened, expiredActive, digest },
    });
    return { import: row, duplicate: false, widened, expiredActive };
  });
}
