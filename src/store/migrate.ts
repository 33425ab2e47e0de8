import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from './sql.ts';

const DIR = join(import.meta.dirname, 'migrations');
// Any constant: serialises migration runs of several servers sharing one PostgreSQL database.
const PG_LOCK = 7_312_001;

export interface Migration { version: number; name: string; sql: string }

export function loadMigrations(): Migration[] {
  return readdirSync(DIR)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((f) => ({ version: Number(f.slice(0, 4)), name: f.slice(5, -4), sql: readFileSync(join(DIR, f), 'utf8') }));
}

/** Applies every migration not applied yet, each in its own transaction. Idempotent. */
export async function migrate(db: Database, now = Date.now()): Promise<number[]> {
  const applied: number[] = [];
  const body = async () => {
    await db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)');
    for (const m of loadMigrations()) {
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
export async function migrationsApplied(db: Database): Promise<boolean> {
  const rows = await db.all<{ version: number }>('SELECT version FROM schema_migrations');
  const have = new Set(rows.map((r) => Number(r.version)));
  return loadMigrations().every((m) => have.has(m.version));
}
