import type { ExceptionRepo } from '../policy/exceptions/exception-repo.ts';
import type { PolicyException } from '../policy/exceptions/types.ts';
import type { Sql } from './sql.ts';
import { sqlOf } from './write-queue.ts';

const COLS = 'name, policy, scope, reason, owner, approver, created_at, created_by, expires_at, revoked_at, revoked_by';
type Row = {
  name: string; policy: string; scope: string; reason: string; owner: string; approver: string;
  created_at: number | string; created_by: string; expires_at: number | string; revoked_at: number | string | null; revoked_by: string | null;
};
const fromRow = (r: Row): PolicyException => ({
  name: r.name, policy: r.policy, scope: JSON.parse(r.scope) as PolicyException['scope'], reason: r.reason, owner: r.owner,
  approver: r.approver, createdAt: Number(r.created_at), createdBy: r.created_by, expiresAt: Number(r.expires_at),
  revokedAt: r.revoked_at === null ? null : Number(r.revoked_at), revokedBy: r.revoked_by,
});

export function exceptionRepo(db: Sql): ExceptionRepo {
  return {
    async get(name) {
      const r = await db.get<Row>(`SELECT ${COLS} FROM policy_exceptions WHERE name = $1`, [name]);
      return r ? fromRow(r) : undefined;
    },
    async list(filter = {}) {
      const rows = filter.policy === undefined
        ? await db.all<Row>(`SELECT ${COLS} FROM policy_exceptions ORDER BY created_at, name`)
        : await db.all<Row>(`SELECT ${COLS} FROM policy_exceptions WHERE policy = $1 ORDER BY created_at, name`, [filter.policy]);
      return rows.map(fromRow);
    },
    async listActive(now) {
      const rows = await db.all<Row>(
        `SELECT ${COLS} FROM policy_exceptions WHERE revoked_at IS NULL AND expires_at > $1 ORDER BY created_at, name`, [now]);
      return rows.map(fromRow);
    },
    async insert(tx, e) {
      return (await sqlOf(tx).run(`INSERT INTO policy_exceptions (${COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (name) DO NOTHING`,
        [e.name, e.policy, JSON.stringify(e.scope), e.reason, e.owner, e.approver, e.createdAt, e.createdBy, e.expiresAt, e.revokedAt, e.revokedBy])) === 1;
    },
    async revoke(tx, name, at, by) {
      return (await sqlOf(tx).run(
        'UPDATE policy_exceptions SET revoked_at = $1, revoked_by = $2 WHERE name = $3 AND revoked_at IS NULL', [at, by, name])) === 1;
    },
  };
}
