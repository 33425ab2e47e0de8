import type { JoinTokenRepo } from '../broker/join-tokens/join-token-repo.ts';
import type { JoinToken } from '../broker/join-tokens/types.ts';
import type { Sql } from './sql.ts';
import { sqlOf } from './write-queue.ts';

const COLS = 'id, identity_id, hash, created_at, created_by, expires_at, used_at';
type Row = {
  id: string; identity_id: string; hash: string; created_at: number | string; created_by: string;
  expires_at: number | string; used_at: number | string | null;
};
const fromRow = (r: Row): JoinToken => ({
  id: r.id, identityId: r.identity_id, hash: r.hash, createdAt: Number(r.created_at), createdBy: r.created_by,
  expiresAt: Number(r.expires_at), usedAt: r.used_at === null ? null : Number(r.used_at),
});

export function joinTokenRepo(db: Sql): JoinTokenRepo {
  return {
    async getByHash(hash) {
      const r = await db.get<Row>(`SELECT ${COLS} FROM join_tokens WHERE hash = $1`, [hash]);
      return r ? fromRow(r) : undefined;
    },
    async list(filter, page) {
      const where: string[] = [];
      const params: unknown[] = [];
      if (filter.identityId !== undefined) { params.push(filter.identityId); where.push(`identity_id = $${params.length}`); }
      if (page.cursor !== undefined) { params.push(page.cursor); where.push(`id > $${params.length}`); }
      params.push(page.limit);
      const rows = await db.all<Row>(
        `SELECT ${COLS} FROM join_tokens ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id LIMIT $${params.length}`, params);
      return rows.map(fromRow);
    },
    async insert(tx, t) {
      await sqlOf(tx).run(`INSERT INTO join_tokens (${COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [t.id, t.identityId, t.hash, t.createdAt, t.createdBy, t.expiresAt, t.usedAt]);
    },
    async consume(tx, hash, now) {
      return (await sqlOf(tx).run(
        'UPDATE join_tokens SET used_at = $1 WHERE hash = $2 AND used_at IS NULL AND expires_at > $1', [now, hash])) === 1;
    },
  };
}
