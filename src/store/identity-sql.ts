import type { IdentityRepo } from '../identity/identity-repo.ts';
import type { Identity, IdentityFilter, Tier } from '../identity/types.ts';
import { TesseraError } from '../shared/errors.ts';
import type { Tx } from '../shared/tx.ts';
import type { Sql } from './sql.ts';
import { sqlOf } from './write-queue.ts';

const COLS = 'id, spiffe_id, owner, environment, tier, max_ttl_seconds, description, labels, ' +
  'static_exception_reason, static_exception_expires_at, created_at, created_by, updated_at, updated_by, disabled_at, disabled_by, bearer_forbidden, version';

type Row = {
  id: string; spiffe_id: string; owner: string; environment: string; tier: number; max_ttl_seconds: number;
  description: string; labels: string; static_exception_reason: string | null; static_exception_expires_at: number | null;
  created_at: number; created_by: string; updated_at: number; updated_by: string; disabled_at: number | null; disabled_by: string | null;
  bearer_forbidden: number | string | boolean; version: number | string;
};

const num = (v: number | null): number | null => (v === null ? null : Number(v));

function fromRow(r: Row): Identity {
  return {
    id: r.id, spiffeId: r.spiffe_id, owner: r.owner, environment: r.environment, tier: Number(r.tier) as Tier,
    maxTtlSeconds: Number(r.max_ttl_seconds), description: r.description, labels: JSON.parse(r.labels) as Record<string, string>,
    staticException: r.static_exception_reason === null || r.static_exception_expires_at === null
      ? null : { reason: r.static_exception_reason, expiresAt: Number(r.static_exception_expires_at) },
    createdAt: Number(r.created_at), createdBy: r.created_by, updatedAt: Number(r.updated_at), updatedBy: r.updated_by,
    disabledAt: num(r.disabled_at), disabledBy: r.disabled_by, bearerForbidden: Number(r.bearer_forbidden) === 1,
    version: Number(r.version),
  };
}

/** Both dialects' unique-violation signals, turned into the domain's ERR_CONFLICT. */
function conflictOf(e: unknown, identity: Identity): TesseraError | undefined {
  const err = e as { code?: unknown; message?: unknown; constraint?: unknown };
  const message = typeof err?.message === 'string' ? err.message : '';
  const unique = err?.code === '23505' || /UNIQUE constraint failed/.test(message);
  if (!unique) return undefined;
  const onSpiffeId = /spiffe_id/.test(message) || (typeof err.constraint === 'string' && err.constraint.includes('spiffe_id'));
  return onSpiffeId
    ? new TesseraError('ERR_CONFLICT', `spiffeId: ${identity.spiffeId} is already registered`, { field: 'spiffeId', rule: 'must be unique' })
    : new TesseraError('ERR_CONFLICT', `id: ${identity.id} already exists`, { field: 'id', rule: 'must be unique' });
}

async function writeLabels(sql: Sql, id: string, labels: Record<string, string>): Promise<void> {
  const entries = Object.entries(labels);
  if (entries.length === 0) return;
  const params: unknown[] = [];
  const tuples = entries.map(([k, v]) => {
    params.push(id, k, v);
    return `($${params.length - 2}, $${params.length - 1}, $${params.length})`;
  });
  await sql.run(`INSERT INTO identity_labels (identity_id, key, value) VALUES ${tuples.join(', ')}`, params);
}

function mutableParams(i: Identity): unknown[] {
  return [i.owner, i.tier, i.maxTtlSeconds, i.description, JSON.stringify(i.labels),
    i.staticException?.reason ?? null, i.staticException?.expiresAt ?? null,
    i.updatedAt, i.updatedBy, i.disabledAt, i.disabledBy, i.bearerForbidden ? 1 : 0];
}

/** IdentityRepo over either dialect: reads on the shared handle, writes inside the caller's Tx. */
export function identityRepo(db: Sql): IdentityRepo {
  return {
    async get(id) {
      const r = await db.get<Row>(`SELECT ${COLS} FROM identities WHERE id = $1`, [id]);
      return r ? fromRow(r) : undefined;
    },

    async getBySpiffeId(spiffeId) {
      const r = await db.get<Row>(`SELECT ${COLS} FROM identities WHERE spiffe_id = $1`, [spiffeId]);
      return r ? fromRow(r) : undefined;
    },

    async list(filter: IdentityFilter, page) {
      const where: string[] = [];
      const params: unknown[] = [];
      const p = (v: unknown) => { params.push(v); return `$${params.length}`; };
      if (filter.owner !== undefined) where.push(`owner = ${p(filter.owner)}`);
      if (filter.environment !== undefined) where.push(`environment = ${p(filter.environment)}`);
      if (filter.tier !== undefined) where.push(`tier = ${p(filter.tier)}`);
      if (filter.includeDisabled === false) where.push('disabled_at IS NULL');
      // One EXISTS per label: the (key, value, identity_id) index answers each without a scan.
      for (const [k, v] of Object.entries(filter.labels ?? {})) {
        where.push(`EXISTS (SELECT 1 FROM identity_labels l WHERE l.identity_id = identities.id AND l.key = ${p(k)} AND l.value = ${p(v)})`);
      }
      if (page.cursor !== undefined) where.push(`id > ${p(page.cursor)}`);
      // One row beyond the page tells whether another page follows.
      const rows = await db.all<Row>(
        `SELECT ${COLS} FROM identities ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id LIMIT ${p(page.limit + 1)}`,
        params);
      const more = rows.length > page.limit;
      const items = (more ? rows.slice(0, page.limit) : rows).map(fromRow);
      return more ? { items, nextCursor: items[items.length - 1]!.id } : { items };
    },

    async count() {
      const r = await db.get<{ n: number | string }>('SELECT COUNT(*) AS n FROM identities');
      return Number(r?.n ?? 0);
    },

    async insert(tx: Tx, i: Identity) {
      const sql = sqlOf(tx);
      try {
        await sql.run(
          `INSERT INTO identities (id, spiffe_id, environment, created_at, created_by, owner, tier, max_ttl_seconds, description, labels, ` +
          'static_exception_reason, static_exception_expires_at, updated_at, updated_by, disabled_at, disabled_by, bearer_forbidden) ' +
          'VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)',
          [i.id, i.spiffeId, i.environment, i.createdAt, i.createdBy, ...mutableParams(i)]);
      } catch (e) {
        throw conflictOf(e, i) ?? e;
      }
      await writeLabels(sql, i.id, i.labels);
    },

    async update(tx: Tx, i: Identity) {
      const sql = sqlOf(tx);
      const changed = await sql.run(
        'UPDATE identities SET owner = $1, tier = $2, max_ttl_seconds = $3, description = $4, labels = $5, ' +
        'static_exception_reason = $6, static_exception_expires_at = $7, updated_at = $8, updated_by = $9, ' +
        'disabled_at = $10, disabled_by = $11, bearer_forbidden = $12, version = version + 1 WHERE id = $13 AND version = $14',
        [...mutableParams(i), i.id, i.version]);
      if (changed === 0) {
        const now = await sql.get<{ version: number | string }>('SELECT version FROM identities WHERE id = $1', [i.id]);
        if (!now) throw new TesseraError('ERR_NOT_FOUND', `id: no identity ${i.id}`, { field: 'id', rule: 'must exist' });
        throw new TesseraError('ERR_CONFLICT',
          `${i.spiffeId} was changed by someone else (version ${Number(now.version)}, this change was made from version ${i.version}); read it again and retry`,
          { field: 'version', rule: 'must be current' });
      }
      await sql.run('DELETE FROM identity_labels WHERE identity_id = $1', [i.id]);
      await writeLabels(sql, i.id, i.labels);
      return i.version + 1;
    },

    async markDisabled(tx: Tx, id: string, at: number, by: string) {
      return (await sqlOf(tx).run(
        'UPDATE identities SET disabled_at = $1, disabled_by = $2, updated_at = $1, updated_by = $2, version = version + 1 WHERE id = $3 AND disabled_at IS NULL',
        [at, by, id])) === 1;
    },

    async delete(tx: Tx, id: string) {
      const sql = sqlOf(tx);
      // Labels first: do not rely on ON DELETE CASCADE being switched on for the connection.
      await sql.run('DELETE FROM identity_labels WHERE identity_id = $1', [id]);
      return (await sql.run('DELETE FROM identities WHERE id = $1', [id])) > 0;
    },
  };
}
