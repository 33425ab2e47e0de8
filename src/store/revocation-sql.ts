import type { RevocationRepo } from '../revocation/revocation-repo.ts';
import type { NewRevocation, Revocation, RevocationKind } from '../revocation/types.ts';
import type { Sql } from './sql.ts';
import { sqlOf } from './write-queue.ts';

const COLS = 'seq, id, kind, value, reason, detected_at, revoked_at, expires_at, revoked_by';
type Row = {
  seq: number | string; id: string; kind: string; value: string; reason: string;
  detected_at: number | string; revoked_at: number | string; expires_at: number | string; revoked_by: string;
};
const fromRow = (r: Row): Revocation => ({
  seq: Number(r.seq), id: r.id, kind: r.kind as RevocationKind, value: r.value, reason: r.reason,
  detectedAt: Number(r.detected_at), revokedAt: Number(r.revoked_at), expiresAt: Number(r.expires_at), revokedBy: r.revoked_by,
});

/** RevocationRepo over either dialect: reads on the shared handle, writes inside the caller's Tx. */
export function revocationRepo(db: Sql): RevocationRepo {
  return {
    async insert(tx, r: NewRevocation) {
      const sql = sqlOf(tx);
      // Locks the head row until commit (see migration 0004): seq order is commit order.
      const head = await sql.get<{ seq: number | string }>('UPDATE revocation_head SET seq = seq + 1 WHERE id = 1 RETURNING seq');
      if (!head) throw new Error('revocation_head row missing');
      const seq = Number(head.seq);
      await sql.run(`INSERT INTO revocations (${COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [seq, r.id, r.kind, r.value, r.reason, r.detectedAt, r.revokedAt, r.expiresAt, r.revokedBy]);
      return { ...r, seq };
    },
    async listSince(afterSeq, now, limit) {
      const rows = await db.all<Row>(`SELECT ${COLS} FROM revocations WHERE seq > $1 AND expires_at > $2 ORDER BY seq LIMIT $3`, [afterSeq, now, limit]);
      return rows.map(fromRow);
    },
    async findActive(kind, value, now) {
      const r = await db.get<Row>(
        `SELECT ${COLS} FROM revocations WHERE kind = $1 AND value = $2 AND expires_at > $3 ORDER BY seq DESC LIMIT 1`, [kind, value, now]);
      return r ? fromRow(r) : undefined;
    },
    async headSeq() {
      const r = await db.get<{ seq: number | string }>('SELECT seq FROM revocation_head WHERE id = 1');
      return Number(r?.seq ?? 0);
    },
    async prune(tx, now) {
      return sqlOf(tx).run('DELETE FROM revocations WHERE expires_at <= $1', [now]);
    },
  };
}
