import type { PolicyRepo, StoredPolicy } from '../policy/policy-repo.ts';
import type { PolicyDefinition } from '../policy/types.ts';
import type { Tx } from '../shared/tx.ts';
import type { Sql } from './sql.ts';
import { sqlOf } from './write-queue.ts';

type Row = { name: string; document: string; created_at: number; created_by: string; updated_at: number; updated_by: string };
const COLS = 'name, document, created_at, created_by, updated_at, updated_by';

const fromRow = (r: Row): StoredPolicy => ({
  definition: JSON.parse(r.document) as PolicyDefinition,
  createdAt: Number(r.created_at), createdBy: r.created_by, updatedAt: Number(r.updated_at), updatedBy: r.updated_by,
});

/** PolicyRepo over either dialect (ON CONFLICT … DO UPDATE is common to SQLite and PostgreSQL). */
export function policyRepo(db: Sql): PolicyRepo {
  return {
    async list() {
      return (await db.all<Row>(`SELECT ${COLS} FROM policies ORDER BY name`)).map(fromRow);
    },
    async get(name) {
      const r = await db.get<Row>(`SELECT ${COLS} FROM policies WHERE name = $1`, [name]);
      return r ? fromRow(r) : undefined;
    },
    async put(tx: Tx, p: StoredPolicy) {
      await sqlOf(tx).run(
        `INSERT INTO policies (${COLS}) VALUES ($1, $2, $3, $4, $5, $6) ` +
        'ON CONFLICT (name) DO UPDATE SET document = excluded.document, updated_at = excluded.updated_at, updated_by = excluded.updated_by',
        [p.definition.name, JSON.stringify(p.definition), p.createdAt, p.createdBy, p.updatedAt, p.updatedBy]);
    },
    async delete(tx: Tx, name) {
      return (await sqlOf(tx).run('DELETE FROM policies WHERE name = $1', [name])) > 0;
    },
  };
}
