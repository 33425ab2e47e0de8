// Seeds the inventory tables (and revocations / policy exceptions) with raw SQL, the way an
// import leaves them, so posture tests control every column without going through importers.
import type { Store } from '../../../src/store/index.ts';
import { sqlOf } from '../../../src/store/index.ts';

export const DAY = 86_400_000;
/** 2025-01-01T00:00:00Z: every fixture time is written relative to it. */
export const NOW = Date.UTC(2025, 0, 1);
export const daysAgo = (d: number) => NOW - d * DAY;

export interface SeedPrivilege { action: string; resource: string; wildcard?: boolean; sensitive?: boolean }
export interface SeedEdge { from: string; to: string; relation: 'can-assume' | 'member-of' | 'bound-to' | 'credential-of' }

export interface SeedItem {
  source: string;
  nativeId: string;
  category: 'identity' | 'credential';
  kind: string;
  name?: string;
  feed?: string;
  parentId?: string | null;
  owner?: string | null;
  service?: string | null;
  environment?: string | null;
  tier?: string | null;
  createdAt?: number | null;
  lastRotatedAt?: number | null;
  lastUsedAt?: number | null;
  expiresAt?: number | null;
  active?: boolean;
  longLived?: boolean;
  federated?: boolean;
  removedAt?: number | null;
  attributes?: Record<string, unknown>;
  privileges?: SeedPrivilege[];
  /** Edges this item's row reported (they live and die with the row). */
  edges?: SeedEdge[];
}

export interface SeedRevocation { detectedAt: number; revokedAt: number }
export interface SeedException { name: string; owner: string; createdAt: number; expiresAt: number; revokedAt?: number | null }

export interface Seed {
  items?: SeedItem[];
  links?: { nativeId: string; workload: string }[];
  revocations?: SeedRevocation[];
  exceptions?: SeedException[];
}

const b = (v: boolean | undefined, dflt: boolean) => ((v ?? dflt) ? 1 : 0);
// Row ids and revocation sequence numbers stay unique across several seed() calls on one store.
let rowIds = 0;
let revocationSeq = 0;

export async function seed(store: Store, data: Seed): Promise<void> {
  await store.write(async (tx) => {
    const sql = sqlOf(tx);
    for (const it of data.items ?? []) {
      const n = ++rowIds;
      const id = `item-${n}`;
      const wildcard = (it.privileges ?? []).some((p) => p.wildcard);
      const feed = it.feed ?? `${it.source}:test`;
      await sql.run(
        `INSERT INTO inventory_items (id, feed, source, native_id, category, kind, name, parent_id, owner, service,
           environment, tier, created_at, last_rotated_at, last_used_at, expires_at, active, long_lived, federated,
           wildcard, attributes, content_hash, first_seen_at, updated_at, last_import, removed_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26)`,
        [id, feed, it.source, it.nativeId, it.category, it.kind, it.name ?? it.nativeId.split('/').pop(), it.parentId ?? null,
          it.owner ?? null, it.service ?? null, it.environment ?? null, it.tier ?? null, it.createdAt ?? null,
          it.lastRotatedAt ?? null, it.lastUsedAt ?? null, it.expiresAt ?? null, b(it.active, true), b(it.longLived, false),
          b(it.federated, false), wildcard ? 1 : 0, JSON.stringify(it.attributes ?? {}), `hash-${n}`, NOW - 1000 * DAY, NOW,
          'import-1', it.removedAt ?? null]);
      for (const p of it.privileges ?? []) {
        await sql.run('INSERT INTO inventory_privileges (item_id, action, resource, wildcard, sensitive) VALUES ($1, $2, $3, $4, $5)',
          [id, p.action, p.resource, b(p.wildcard, false), b(p.sensitive, false)]);
      }
      for (const e of it.edges ?? []) {
        await sql.run('INSERT INTO inventory_edges (item_id, from_id, to_id, relation) VALUES ($1, $2, $3, $4)', [id, e.from, e.to, e.relation]);
      }
    }
    for (const l of data.links ?? []) {
      await sql.run('INSERT INTO inventory_links (native_id, workload, rule, created_at, created_by) VALUES ($1, $2, $3, $4, $5)',
        [l.nativeId, l.workload, 'manual', NOW - DAY, 'test']);
    }
    for (const r of data.revocations ?? []) {
      const seq = ++revocationSeq;
      await sql.run(
        `INSERT INTO revocations (seq, id, kind, value, reason, detected_at, revoked_at, expires_at, revoked_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [seq, `rev-${seq}`, 'static-key', `key-${seq}`, 'leaked', r.detectedAt, r.revokedAt, r.revokedAt + 30 * DAY, 'test']);
    }
    for (const e of data.exceptions ?? []) {
      await sql.run(
        `INSERT INTO policy_exceptions (name, policy, scope, reason, owner, approver, created_at, created_by, expires_at, revoked_at, revoked_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        [e.name, 'no-static-keys', '{}', 'legacy system', e.owner, 'approver', e.createdAt, 'creator', e.expiresAt,
          e.revokedAt ?? null, e.revokedAt ? 'revoker' : null]);
    }
  });
}

/** Everything the seeded tables hold, to show a refused call changed nothing. */
export async function tableCounts(store: Store): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of ['inventory_items', 'inventory_privileges', 'inventory_edges', 'inventory_links', 'revocations', 'policy_exceptions', 'posture_history']) {
    out[t] = Number((await store.db.get<{ n: unknown }>(`SELECT COUNT(*) AS n FROM ${t}`))?.n);
  }
  return out;
}
