import type { TrustSourceRepo } from '../broker/trust/trust-source-repo.ts';
import type { TrustSource } from '../broker/trust/types.ts';
import { TesseraError } from '../shared/errors.ts';
import type { Tx } from '../shared/tx.ts';
import type { Sql } from './sql.ts';
import { sqlOf } from './write-queue.ts';

const COLS = 'id, name, kind, issuer, jwks_uri, jwks, jwks_file, algorithms, audiences, max_token_age_seconds, environment, ' +
  'bindings, description, created_at, created_by, updated_at, updated_by';

type Row = {
  id: string; name: string; kind: string; issuer: string; jwks_uri: string | null; jwks: string | null; jwks_file: string | null;
  algorithms: string; audiences: string; max_token_age_seconds: number; environment: string; bindings: string;
  description: string; created_at: number; created_by: string; updated_at: number; updated_by: string;
};

function fromRow(r: Row): TrustSource {
  return {
    id: r.id, name: r.name, kind: r.kind as TrustSource['kind'], issuer: r.issuer, jwksUri: r.jwks_uri,
    jwks: r.jwks === null ? null : JSON.parse(r.jwks) as TrustSource['jwks'], jwksFile: r.jwks_file,
    algorithms: JSON.parse(r.algorithms) as TrustSource['algorithms'], audiences: JSON.parse(r.audiences) as string[],
    maxTokenAgeSeconds: Number(r.max_token_age_seconds), environment: r.environment,
    bindings: JSON.parse(r.bindings) as TrustSource['bindings'], description: r.description,
    createdAt: Number(r.created_at), createdBy: r.created_by, updatedAt: Number(r.updated_at), updatedBy: r.updated_by,
  };
}

function mutable(s: TrustSource): unknown[] {
  return [s.kind, s.issuer, s.jwksUri, s.jwks === null ? null : JSON.stringify(s.jwks), s.jwksFile,
    JSON.stringify(s.algorithms), JSON.stringify(s.audiences), s.maxTokenAgeSeconds, s.environment,
    JSON.stringify(s.bindings), s.description, s.updatedAt, s.updatedBy];
}

/** Both dialects' unique-violation signals, turned into ERR_CONFLICT naming the field. */
function conflictOf(e: unknown, s: TrustSource): TesseraError | undefined {
  const err = e as { code?: unknown; message?: unknown; constraint?: unknown };
  const message = typeof err?.message === 'string' ? err.message : '';
  if (!(err?.code === '23505' || /UNIQUE constraint failed/.test(message))) return undefined;
  const where = `${message} ${typeof err.constraint === 'string' ? err.constraint : ''}`;
  if (/issuer/.test(where)) {
    return new TesseraError('ERR_CONFLICT', `issuer: ${s.issuer} is already trusted by another source`, { field: 'issuer', rule: 'must be unique' });
  }
  if (/name/.test(where)) {
    return new TesseraError('ERR_CONFLICT', `name: trust source ${s.name} already exists`, { field: 'name', rule: 'must be unique' });
  }
  return new TesseraError('ERR_CONFLICT', `id: ${s.id} already exists`, { field: 'id', rule: 'must be unique' });
}

/** TrustSourceRepo over either dialect: reads on the shared handle, writes inside the caller's Tx. */
export function trustSourceRepo(db: Sql): TrustSourceRepo {
  return {
    async get(name) {
      const r = await db.get<Row>(`SELECT ${COLS} FROM trust_sources WHERE name = $1`, [name]);
      return r ? fromRow(r) : undefined;
    },
    async getByIssuer(issuer) {
      const r = await db.get<Row>(`SELECT ${COLS} FROM trust_sources WHERE issuer = $1`, [issuer]);
      return r ? fromRow(r) : undefined;
    },
    async list() {
      return (await db.all<Row>(`SELECT ${COLS} FROM trust_sources ORDER BY name`)).map(fromRow);
    },
    async insert(tx: Tx, s: TrustSource) {
      try {
        await sqlOf(tx).run(
          `INSERT INTO trust_sources (id, name, created_at, created_by, kind, issuer, jwks_uri, jwks, jwks_file, algorithms, audiences, ` +
          'max_token_age_seconds, environment, bindings, description, updated_at, updated_by) ' +
          'VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)',
          [s.id, s.name, s.createdAt, s.createdBy, ...mutable(s)]);
      } catch (e) {
        throw conflictOf(e, s) ?? e;
      }
    },
    async update(tx: Tx, s: TrustSource) {
      let changed: number;
      try {
        changed = await sqlOf(tx).run(
          'UPDATE trust_sources SET kind = $1, issuer = $2, jwks_uri = $3, jwks = $4, jwks_file = $5, algorithms = $6, audiences = $7, ' +
          'max_token_age_seconds = $8, environment = $9, bindings = $10, description = $11, updated_at = $12, updated_by = $13 WHERE id = $14',
          [...mutable(s), s.id]);
      } catch (e) {
        throw conflictOf(e, s) ?? e;
      }
      if (changed === 0) throw new TesseraError('ERR_NOT_FOUND', `name: no trust source ${s.name}`, { field: 'name', rule: 'must exist' });
    },
    async delete(tx: Tx, id: string) {
      return (await sqlOf(tx).run('DELETE FROM trust_sources WHERE id = $1', [id])) > 0;
    },
  };
}
