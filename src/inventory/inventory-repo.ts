import type { Tx } from '../shared/tx.ts';
import type { InventoryRecord, SourceKind } from './types.ts';

/** A current or removed inventory row as stored. */
export interface StoredItem extends InventoryRecord {
  id: string;
  feed: string;
  source: SourceKind;
  contentHash: string;
  firstSeenAt: number;
  updatedAt: number;
  lastImport: string;
  removedAt: number | null;
  /** The workload this item is linked to (correlation), if any. */
  workload?: string | null;
}

/** What the diff of one import needs to know about each row already in the feed. */
export interface FeedRow {
  id: string;
  nativeId: string;
  contentHash: string;
  active: boolean;
  expiresAt: number | null;
  removedAt: number | null;
}

export interface ImportRow {
  id: string;
  feed: string;
  source: SourceKind;
  scope: string;
  importedAt: number;
  importedBy: string;
  digest: string;
  records: number;
  added: number;
  changed: number;
  removed: number;
  unchanged: number;
}

export type ChangeKind = 'added' | 'changed' | 'widened' | 'removed' | 'expired-active';

export interface ChangeRow {
  importId: string;
  at: number;
  itemId: string;
  nativeId: string;
  change: ChangeKind;
  /** changed: {field: [before, after]}; widened: {added: [privileges]}; others: a summary. */
  fields: Record<string, unknown>;
}

export interface ItemFilter {
  source?: SourceKind | undefined;
  category?: 'identity' | 'credential' | undefined;
  owner?: string | undefined;
  workload?: string | undefined;
  /** include removed rows (default false) */
  includeRemoved?: boolean | undefined;
}

export interface InventoryRepo {
  feedRows(tx: Tx, feed: string): Promise<FeedRow[]>;
  lastImport(feed: string): Promise<ImportRow | undefined>;
  getItem(id: string, tx?: Tx): Promise<StoredItem | undefined>;
  findByNativeId(nativeId: string): Promise<StoredItem[]>;
  /**
   * Inserts or replaces rows, their privileges and edges (batched). `replacing` lists the ids
   * whose old privileges and edges must go (default: all of them; [] when every row is new).
   */
  upsertItems(tx: Tx, items: StoredItem[], replacing?: string[]): Promise<void>;
  markRemoved(tx: Tx, ids: string[], at: number, importId: string): Promise<void>;
  insertChanges(tx: Tx, changes: ChangeRow[]): Promise<void>;
  insertImport(tx: Tx, row: ImportRow): Promise<void>;
  listImports(limit: number, since?: number): Promise<ImportRow[]>;
  getImport(id: string): Promise<ImportRow | undefined>;
  listItems(filter: ItemFilter, page: { limit: number; after?: string | undefined }): Promise<StoredItem[]>;
  changesSince(since: number): Promise<ChangeRow[]>;
  /** Up to `limit` items first seen at or after `since` (new to the inventory), with privileges. */
  firstSeenSince(since: number, limit: number): Promise<StoredItem[]>;
  link(tx: Tx, nativeId: string, workload: string, rule: string, at: number, by: string): Promise<void>;
  unlink(tx: Tx, nativeId: string): Promise<boolean>;
  links(workload?: string): Promise<{ nativeId: string; workload: string; rule: string }[]>;
  insertHistory(tx: Tx, rows: { importId: string; takenAt: number; metric: string; groupBy: string; groupValue: string; value: number | null }[]): Promise<void>;
  history(since: number, metric?: string): Promise<{ importId: string; takenAt: number; metric: string; groupBy: string; groupValue: string; value: number | null }[]>;
}
