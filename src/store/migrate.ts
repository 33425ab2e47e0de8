import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TesseraError } from '../shared/errors.ts';
import type { Database } from './sql.ts';

/** The migrations shipped with this build. */
export const MIGRATIONS_DIR = join(import.meta.dirname, 'migrations');
// Any constant: serialises migration runs of several servers sharing one PostgreSQL database.
const PG_LOCK = 7_312_001;
const FILE = /^(\d{4})_([a-z0-9_]+)\.sql$/;

export interface Migration { version: number; name: string; sql: string }

/**
 * Reads the migration files in version order. Two files with one version number are refused:
 * schema_migrations records versions, so one of them would otherwise never run on any store.
 */
export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  const sql = readdirSync(dir).filter((f) => f.endsWith('.sql'));
  const misnamed = sql.filter((f) => !FILE.test(f));
  // A misnamed file would be skipped silently on every store: refuse it instead.
  if (misnamed.length > 0) {
    throw new TesseraError('ERR_INTERNAL', `migration file ${misnamed[0]} is not named NNNN_lowercase_name.sql`, { files: misnamed });
  }
  const files = sql.sort();
  const byVersion = new Map<number, string>();
  for (const f of files) {
    const version = Number(FILE.exec(f)![1]);
    const other = byVersion.get(version);
    if (other !== undefined) {
      throw new TesseraError('ERR_INTERNAL', `migrations ${other} and ${f} share version ${version}; renumber one of them`,
        { files: [other, f], version });
    }
    byVersion.set(version, f);
  }
  return files.map((f) => {
    const [, version, name] = FILE.exec(f)!;
    return { version: Number(version), name: name!, sql: readFileSync(join(dir, f), 'utf8') };
  });
}

/** Applies every migration not applied yet, each in its own transaction. Idempotent. */
export async function migrate(db: Database, now = Date.now(), dir = MIGRATIONS_DIR): Promise<number[]> {
  // Read (and checked) before anything is touched: a bad set of files changes nothing.
  const migrations = loadMigrations(dir);
  const applied: number[] = [];
  const body = async () => {
    await db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)');
    const newest = Number((await db.get<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_migrations'))?.v ?? 0);
    const have = new Set((await db.all<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => Number(r.version)));
    const late = migrations.find((m) => m.version < newest && !have.has(m.version));
    // A migration numbered below one already applied was written against an older schema.
    if (late) {
      throw new TesseraError('ERR_INTERNAL', `migration ${late.version} (${late.name}) is older than the newest applied migration ${newest}; renumber it above ${newest}`,
        { version: late.version, newest });
    }
    for (const m of migrations) {
      const done = await db.transaction(async (tx) => {
        if (await tx.get('SELECT version FROM schema_migrations WHERE version = $1', [m.version])) return false;
        await tx.exec(m.sql);
        await tx.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, now]);
        return true;
      });
      if (done) applied.push(m.version);
    }
  };
  if (db.dialect === 'postgres') {
    await db.transaction(async (tx) => {
      await tx.get('SELECT pg_advisory_xact_lock($1)', [PG_LOCK]);
      await body();
    });
  } else {
    await body();
  }
  return applied;
}

/** True when every migration shipped with this build is applied (used by /readyz). */
export async function migrationsApplied(db: Database, dir = MIGRATIONS_DIR): Promise<boolean> {
  const rows = await db.all<{ version: number }>('SELECT version FROM schema_migrations');
  const have = new Set(rows.map((r) => Number(r.version)));
  return loadMigrations(dir).every((m) => have.has(m.version));
}
