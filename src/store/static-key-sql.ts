import type { StaticKeyRepo } from '../identity/static-keys/static-key-repo.ts';
import type { StaticKey } from '../identity/static-keys/types.ts';
import type { Sql } from './sql.ts';
import { sqlOf } from './write-queue.ts';

const COLS = 'id, identity_id, hash, last4, owner, created_at, created_by, expires_at, revoked_at';
type Row = {
  id: string; identity_id: string; hash: string; last4: string; owner: string;
  created_at: number | string; created_by: string; expires_at: number | string; revoked_at: number | string | null;
};
const fromRow = (r: Row): StaticKey => ({
  id: r.id, identityId: r.identity_id, hash: r.hash, last4: r.last4, owner: r.owner,
  createdAt: Number(r.created_at), createdBy: r.created_by, expiresAt: Number(r.expires_at),
  revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
});

export function staticKeyRepo(db: Sql): StaticKeyRepo {
  return {
    async get(id) {
      const r = await db.get<Row>(`SELECT ${COLS} FROM static_keys WHERE id = $1`, [id]);
      return r ? fromRow(r) : undefined;
    },
    async getByHash(hash) {
      const r = await db.get<Row>(`SELECT ${COLS} FROM static_keys WHERE hash = $1`, [hash]);
      return r ? fromRow(r) : undefined;
    },
    async listByIdentity(identityId, limit) {
      const rows = await db.all<Row>(
        `SELECT ${COLS} FROM static_keys WHERE identity_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`, [identityId, limit]);
      return rows.map(fromRow);
    },
    async insert(tx, k) {
      await sqlOf(tx).run(`INSERT INTO static_keys (${COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [k.id, k.identityId, k.hash, k.last4, k.owner, k.createdAt, k.createdBy, k.expiresAt, k.revokedAt]);
    },
    async setRevoked(tx, id, at) {
      return (await sqlOf(tx).run('UPDATE static_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL', [at, id])) > 0;
    },
  };
}
