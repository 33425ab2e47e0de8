import pg from 'pg';
import type { Database, Sql, Row } from './sql.ts';

// BIGINT columns hold epoch milliseconds and sequence numbers: well inside 2^53.
pg.types.setTypeParser(20, (v: string) => Number(v));

export interface PostgresOptions {
  /** Schema to use (created if missing); tests give each run its own. */
  schema?: string;
  max?: number;
}

function wrap(q: pg.Pool | pg.PoolClient): Sql {
  return {
    dialect: 'postgres',
    async all<T = Row>(sql: string, params: readonly unknown[] = []) {
      return (await q.query(sql, params as unknown[])).rows as T[];
    },
    async get<T = Row>(sql: string, params: readonly unknown[] = []) {
      return (await q.query(sql, params as unknown[])).rows[0] as T | undefined;
    },
    async run(sql: string, params: readonly unknown[] = []) {
      return (await q.query(sql, params as unknown[])).rowCount ?? 0;
    },
    async exec(sql: string) { await q.query(sql); },
  };
}

export async function openPostgres(url: string, opts: PostgresOptions = {}): Promise<Database> {
  const schema = opts.schema;
  if (schema !== undefined) {
    if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid schema name ${schema}`);
    const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
    await c.connect();
    try { await c.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`); } finally { await c.end(); }
  }
  const pool = new pg.Pool({
    connectionString: url, max: opts.max ?? 10, connectionTimeoutMillis: 5000,
    ...(schema !== undefined ? { options: `-c search_path=${schema}` } : {}),
  });
  pool.on('error', () => { /* an idle client died; the next query reconnects */ });
  const base = wrap(pool);
  return {
    ...base,
    async transaction<T>(fn: (sql: Sql) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(wrap(client));
        await client.query('COMMIT');
        return result;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => {});
        throw e;
      } finally {
        client.release();
      }
    },
    async close() { await pool.end(); },
  };
}
