import type { ElevationRepo } from '../policy/elevation/elevation-repo.ts';
import type { Elevation, ElevationState } from '../policy/elevation/types.ts';
import type { Sql } from './sql.ts';
import { sqlOf } from './write-queue.ts';

const COLS = 'id, subject, grant_role, grant_audience, duration_s, reason, state, requested_by, requested_at, '
  + 'decided_by, decided_at, decision_reason, starts_at, expires_at, revoked_at, revoked_by';
type N = number | string | null;
type Row = {
  id: string; subject: string; grant_role: string | null; grant_audience: string | null; duration_s: number | string; reason: string;
  state: string; requested_by: string; requested_at: number | string; decided_by: string | null; decided_at: N;
  decision_reason: string | null; starts_at: N; expires_at: N; revoked_at: N; revoked_by: string | null;
};
const num = (v: N) => (v === null ? null : Number(v));
const fromRow = (r: Row): Elevation => ({
  id: r.id, subject: r.subject,
  grant: { ...(r.grant_role !== null ? { role: r.grant_role } : {}), ...(r.grant_audience !== null ? { audience: r.grant_audience } : {}) },
  durationSeconds: Number(r.duration_s), reason: r.reason, state: r.state as ElevationState, requestedBy: r.requested_by,
  requestedAt: Number(r.requested_at), decidedBy: r.decided_by, decidedAt: num(r.decided_at), decisionReason: r.decision_reason,
  startsAt: num(r.starts_at), expiresAt: num(r.expires_at), revokedAt: num(r.revoked_at), revokedBy: r.revoked_by,
});

export function elevationRepo(db: Sql): ElevationRepo {
  return {
    async get(id) {
      const r = await db.get<Row>(`SELECT ${COLS} FROM elevations WHERE id = $1`, [id]);
      return r ? fromRow(r) : undefined;
    },
    async list(filter, limit) {
      const where: string[] = [];
      const params: unknown[] = [];
      if (filter.subject !== undefined) { params.push(filter.subject); where.push(`subject = $${params.length}`); }
      if (filter.state !== undefined) { params.push(filter.state); where.push(`state = $${params.length}`); }
      params.push(limit);
      const rows = await db.all<Row>(
        `SELECT ${COLS} FROM elevations ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY requested_at DESC, id DESC LIMIT $${params.length}`, params);
      return rows.map(fromRow);
    },
    async activeFor(subject, now) {
      const rows = await db.all<Row>(
        `SELECT ${COLS} FROM elevations WHERE subject = $1 AND state = 'approved' AND starts_at <= $2 AND expires_at > $2 ORDER BY expires_at`, [subject, now]);
      return rows.map(fromRow);
    },
    async insert(tx, e) {
      await sqlOf(tx).run(`INSERT INTO elevations (${COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`, [
        e.id, e.subject, e.grant.role ?? null, e.grant.audience ?? null, e.durationSeconds, e.reason, e.state, e.requestedBy, e.requestedAt,
        e.decidedBy, e.decidedAt, e.decisionReason, e.startsAt, e.expiresAt, e.revokedAt, e.revokedBy,
      ]);
    },
    async approve(tx, id, at, by, reason) {
      return (await sqlOf(tx).run(
        `UPDATE elevations SET state = 'approved', decided_by = $1, decided_at = $2, decision_reason = $3, starts_at = $2, expires_at = CAST($2 AS BIGINT) + duration_s * 1000
         WHERE id = $4 AND state = 'requested'`, [by, at, reason, id])) === 1;
    },
    async deny(tx, id, at, by, reason) {
      return (await sqlOf(tx).run(
        `UPDATE elevations SET state = 'denied', decided_by = $1, decided_at = $2, decision_reason = $3 WHERE id = $4 AND state = 'requested'`,
        [by, at, reason, id])) === 1;
    },
    async revoke(tx, id, at, by) {
      return (await sqlOf(tx).run(
        `UPDATE elevations SET state = 'revoked', revoked_at = $1, revoked_by = $2
         WHERE id = $3 AND (state = 'requested' OR (state = 'approved' AND expires_at > $1))`, [at, by, id])) === 1;
    },
  };
}
