import type { JsonWebKey } from 'node:crypto';
import type { Principal, PrincipalRepo } from '../access/principal-repo.ts';
import type { Role } from '../shared/context.ts';
import { TesseraError } from '../shared/errors.ts';
import type { Sql } from './sql.ts';
import { sqlOf } from './write-queue.ts';

const COLS = 'id, roles, public_jwk, jwk_thumbprint, description, created_at, created_by, disabled_at';
type Row = {
  id: string; roles: string; public_jwk: string; jwk_thumbprint: string; description: string;
  created_at: number; created_by: string; disabled_at: number | null;
};
const fromRow = (r: Row): Principal => ({
  id: r.id, roles: JSON.parse(r.roles) as Role[], publicJwk: JSON.parse(r.public_jwk) as JsonWebKey,
  jwkThumbprint: r.jwk_thumbprint, description: r.description, createdAt: Number(r.created_at),
  createdBy: r.created_by, disabledAt: r.disabled_at === null ? null : Number(r.disabled_at),
});

export function principalRepo(db: Sql): PrincipalRepo {
  return {
    async get(id) {
      const r = await db.get<Row>(`SELECT ${COLS} FROM principals WHERE id = $1`, [id]);
      return r ? fromRow(r) : undefined;
    },
    async list() {
      return (await db.all<Row>(`SELECT ${COLS} FROM principals ORDER BY id`)).map(fromRow);
    },
    async insert(tx, p) {
      // DO NOTHING keeps a PostgreSQL transaction usable when two servers register the same
      // principal at once; the loser gets ERR_CONFLICT.
      const n = await sqlOf(tx).run(
        `INSERT INTO principals (${COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
        [p.id, JSON.stringify(p.roles), JSON.stringify(p.publicJwk), p.jwkThumbprint, p.description, p.createdAt, p.createdBy, p.disabledAt]);
      if (n === 0) throw new TesseraError('ERR_CONFLICT', `principal ${p.id} already exists`, { field: 'id', rule: 'unique' });
    },
    async setDisabled(tx, id, at) {
      return (await sqlOf(tx).run('UPDATE principals SET disabled_at = $1 WHERE id = $2', [at, id])) > 0;
    },
    async disableUnlessLastAdmin(tx, id, at) {
      const sql = sqlOf(tx);
      // PostgreSQL: lock every enabled administrator row first, so a concurrent disable on another
      // server waits for this one and then counts what it committed (SQLite has a single writer).
      await sql.run(`UPDATE principals SET disabled_at = disabled_at WHERE disabled_at IS NULL AND roles LIKE '%"admin"%'`);
      const n = await sql.run(
        `UPDATE principals SET disabled_at = $1 WHERE id = $2 AND disabled_at IS NULL
           AND (roles NOT LIKE '%"admin"%'
             OR (SELECT COUNT(*) FROM principals o WHERE o.disabled_at IS NULL AND o.roles LIKE '%"admin"%' AND o.id <> $2) >= 1)`,
        [at, id]);
      if (n === 1) return 'disabled';
      const row = await sql.get<{ disabled_at: number | null }>('SELECT disabled_at FROM principals WHERE id = $1', [id]);
      return row && row.disabled_at === null ? 'last-admin' : 'unchanged';
    },
    async useAssertionId(tx, jti, expiresAt) {
      return (await sqlOf(tx).run('INSERT INTO used_assertions (jti, expires_at) VALUES ($1, $2) ON CONFLICT (jti) DO NOTHING', [jti, expiresAt])) === 1;
    },
    async pruneAssertionIds(tx, now) {
      return sqlOf(tx).run('DELETE FROM used_assertions WHERE expires_at < $1', [now]);
    },
  };
}
