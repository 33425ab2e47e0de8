import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { Database, Sql, Row } from './sql.ts';

// node:sqlite binds ?NNN by index; repo SQL uses PostgreSQL's $N, rewritten once per statement.
// When the placeholders run $1, $2, … $n in order (the usual case) they become plain `?`:
// node:sqlite binds numbered parameters far slower (measured ~7× on a 1,200-parameter
// multi-row INSERT), which made the audit append CPU-bound.
const toSqlite = (sql: string) => {
  const order = [...sql.matchAll(/\$(\d+)/g)].map((m) => Number(m[1]));
  return sql.replace(/\$(\d+)/g, order.every((n, i) => n === i + 1) ? '?' : '?$1');
};

function bindable(params: readonly unknown[]): (null | number | bigint | string | Uint8Array)[] {
  return params.map((p) => {
    if (p === undefined || p === null) return null;
    if (typeof p === 'boolean') return p ? 1 : 0;
    if (typeof p === 'number' || typeof p === 'bigint' || typeof p === 'string' || p instanceof Uint8Array) return p;
    return JSON.stringify(p);
  });
}

class Connection implements Sql {
  readonly dialect = 'sqlite' as const;
  private readonly cache = new Map<string, StatementSync>();
  readonly db: DatabaseSync;
  constructor(db: DatabaseSync) { this.db = db; }
  private stmt(sql: string): StatementSync {
    let s = this.cache.get(sql);
    if (!s) {
      s = this.db.prepare(toSqlite(sql));
      if (this.cache.size > 500) this.cache.clear();
      this.cache.set(sql, s);
    }
    return s;
  }
  async all<T = Row>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return this.stmt(sql).all(...bindable(params)) as T[];
  }
  async get<T = Row>(sql: string, params: readonly unknown[] = []): Promise<T | undefined> {
    return this.stmt(sql).get(...bindable(params)) as T | undefined;
  }
  async run(sql: string, params: readonly unknown[] = []): Promise<number> {
    return Number(this.stmt(sql).run(...bindable(params)).changes);
  }
  async exec(sql: string): Promise<void> { this.db.exec(sql); }
}

function open(path: string, readOnly: boolean): DatabaseSync {
  const db = new DatabaseSync(path, { readOnly });
  db.exec('PRAGMA busy_timeout = 5000');
  if (!readOnly) {
    // WAL + FULL: every acknowledged commit is on disk (measured ~6.7k commits/s here).
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA synchronous = FULL');
    // 64 MiB of page cache (default 2 MiB): an inventory import inserts into several indexes at once,
    // and with the default cache those inserts thrash (measured 2.4× slower at 43k rows).
    db.exec('PRAGMA cache_size = -65536');
  }
  db.exec('PRAGMA foreign_keys = ON');
  return db;
}

/**
 * Opens an embedded store: one writer connection (all transactions) and one reader connection
 * (WAL lets reads proceed while the writer holds a transaction open).
 */
export function openSqlite(path: string): Database {
  const writer = new Connection(open(path, false));
  let reader: Connection | undefined;
  const read = () => (reader ??= new Connection(open(path, true)));
  let depth = 0;
  return {
    dialect: 'sqlite',
    all: (sql, params) => read().all(sql, params),
    get: (sql, params) => read().get(sql, params),
    run: (sql, params) => writer.run(sql, params),
    exec: (sql) => writer.exec(sql),
    async transaction<T>(fn: (sql: Sql) => Promise<T>): Promise<T> {
      if (depth > 0) throw new Error('nested transaction on the sqlite writer');
      depth++;
      writer.db.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn(writer);
        writer.db.exec('COMMIT');
        return result;
      } catch (e) {
        if (writer.db.isTransaction) writer.db.exec('ROLLBACK');
        throw e;
      } finally {
        depth--;
      }
    },
    async close() {
      reader?.db.close();
      writer.db.close();
    },
  };
}

/**
 * A read-only handle on an embedded store file, for looking at a copy without a server
 * (`tessera audit verify --offline`): nothing is written, no WAL mode is set.
 */
export function openSqliteReadOnly(path: string): Database {
  const c = new Connection(open(path, true));
  const refuse = async (): Promise<never> => { throw new Error('this store was opened read-only'); };
  return {
    dialect: 'sqlite',
    all: (sql, params) => c.all(sql, params),
    get: (sql, params) => c.get(sql, params),
    run: refuse,
    exec: refuse,
    transaction: refuse,
    async close() { c.db.close(); },
  };
}
