import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadMigrations, migrate, migrationsApplied } from '../../src/store/migrate.ts';
import { openSqlite } from '../../src/store/sqlite.ts';
import { openPostgres } from '../../src/store/postgres.ts';
import type { Database } from '../../src/store/sql.ts';
import { TesseraError } from '../../src/shared/errors.ts';
import { PG_URL, STORE_KINDS, dropSchema, tempDir, type StoreKind } from '../helpers/test-store.ts';

const SHIPPED = loadMigrations();
const T0 = 1_700_000_000_000;

/** An empty database (no tables at all), so migrate() starts from nothing. */
async function openEmpty(kind: StoreKind): Promise<{ db: Database; open(): Promise<Database>; cleanup(): Promise<void> }> {
  const dir = tempDir();
  const handles: Database[] = [];
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const open = async () => {
    const db = kind === 'sqlite' ? openSqlite(join(dir, 'm.db')) : await openPostgres(PG_URL, { schema });
    handles.push(db);
    return db;
  };
  const db = await open();
  return {
    db, open,
    async cleanup() {
      for (const h of handles) await h.close().catch(() => {});
      if (kind === 'postgres') await dropSchema(schema);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A folder of migration files, for cases that need a set other than the shipped one. */
function migrationDir(files: Record<string, string>): string {
  const dir = tempDir('tessera-migrations-');
  for (const [name, sql] of Object.entries(files)) writeFileSync(join(dir, name), sql);
  return dir;
}

const recorded = (db: Database) =>
  db.all<{ version: number; name: string; applied_at: number }>('SELECT version, name, applied_at FROM schema_migrations ORDER BY version')
    .then((rows) => rows.map((r) => ({ version: Number(r.version), name: r.name, appliedAt: Number(r.applied_at) })));

/** Whether a table exists, asked in a way both stores answer. */
async function hasTable(db: Database, table: string): Promise<boolean> {
  try { await db.get(`SELECT 1 FROM ${table} LIMIT 1`); return true; } catch { return false; }
}

test('the shipped migrations load in strictly increasing version order, foundation first', () => {
  assert.ok(SHIPPED.length >= 2);
  assert.equal(SHIPPED[0]!.version, 1);
  assert.equal(SHIPPED[0]!.name, 'foundation');
  SHIPPED.slice(1).forEach((m, i) => assert.ok(m.version > SHIPPED[i]!.version, `${m.version} after ${SHIPPED[i]!.version}`));
  for (const m of SHIPPED) assert.ok(m.sql.trim().length > 0, `migration ${m.version} is not empty`);
});

for (const kind of STORE_KINDS) {
  describe(`migrate on ${kind}`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    after(async () => { for (const c of cleanups) await c(); });
    const empty = async () => { const e = await openEmpty(kind); cleanups.push(e.cleanup); return e; };

    test('a fresh database gets every shipped migration, recorded by version and name', async () => {
      const { db } = await empty();
      assert.equal(await hasTable(db, 'schema_migrations'), false);
      assert.deepEqual(await migrate(db, T0), SHIPPED.map((m) => m.version));
      assert.deepEqual(await recorded(db), SHIPPED.map((m) => ({ version: m.version, name: m.name, appliedAt: T0 })));
      assert.equal(await migrationsApplied(db), true);
      for (const t of ['identities', 'audit_events', 'audit_head', 'principals', 'used_assertions', 'signing_keys']) {
        assert.equal(await hasTable(db, t), true, t);
      }
    });

    test('migrating again is a no-op: nothing applied, nothing re-recorded', async () => {
      const { db } = await empty();
      await migrate(db, T0);
      await db.run("INSERT INTO principals (id, roles, public_jwk, jwk_thumbprint, description, created_at, created_by) VALUES ('p', '[]', '{}', 't', '', 1, 'x')");
      assert.deepEqual(await migrate(db, T0 + 1000), []);
      assert.deepEqual(await migrate(db, T0 + 2000), []);
      assert.deepEqual(await recorded(db), SHIPPED.map((m) => ({ version: m.version, name: m.name, appliedAt: T0 })));
      assert.equal((await db.all('SELECT id FROM principals')).length, 1, 'data survives');
      assert.equal(await migrationsApplied(db), true);
    });

    test('migrationsApplied is false while a shipped migration is missing', async () => {
      const { db } = await empty();
      await migrate(db, T0);
      const last = SHIPPED[SHIPPED.length - 1]!;
      await db.run('DELETE FROM schema_migrations WHERE version = $1', [last.version]);
      assert.equal(await migrationsApplied(db), false);
    });

    test('a folder of migrations applies in version order, then only the new ones', async () => {
      const { db } = await empty();
      const dir = migrationDir({
        '0002_add_b.sql': 'ALTER TABLE t_one ADD COLUMN b TEXT;',
        '0001_create.sql': 'CREATE TABLE t_one (a TEXT);',
        'README.md': 'not a migration',
      });
      try {
        assert.deepEqual(await migrate(db, T0, dir), [1, 2]);
        writeFileSync(join(dir, '0003_add_c.sql'), 'ALTER TABLE t_one ADD COLUMN c TEXT;');
        assert.equal(await migrationsApplied(db, dir), false);
        assert.deepEqual(await migrate(db, T0 + 1, dir), [3]);
        assert.equal(await migrationsApplied(db, dir), true);
        await db.run("INSERT INTO t_one (a, b, c) VALUES ('1', '2', '3')");
        assert.deepEqual((await recorded(db)).map((r) => [r.version, r.name, r.appliedAt]),
          [[1, 'create', T0], [2, 'add_b', T0], [3, 'add_c', T0 + 1]]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    test('a failing migration leaves nothing of itself behind and runs again next time', async () => {
      const { db } = await empty();
      const dir = migrationDir({
        '0001_good.sql': 'CREATE TABLE t_good (a TEXT);',
        '0002_bad.sql': 'CREATE TABLE t_half (a TEXT);\nCREATE TABLE t_good (a TEXT);',
      });
      try {
        await assert.rejects(migrate(db, T0, dir));
        assert.deepEqual((await recorded(db)).map((r) => r.version), [1]);
        assert.equal(await hasTable(db, 't_half'), false, 'the failed migration rolled back as a whole');
        writeFileSync(join(dir, '0002_bad.sql'), 'CREATE TABLE t_half (a TEXT);');
        assert.deepEqual(await migrate(db, T0, dir), [2]);
        assert.equal(await hasTable(db, 't_half'), true);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    test('two migrations with one version are refused, naming both files, and nothing is applied', async () => {
      const { db } = await empty();
      const dir = migrationDir({
        '0001_create.sql': 'CREATE TABLE t_dup (a TEXT);',
        '0002_add_b.sql': 'ALTER TABLE t_dup ADD COLUMN b TEXT;',
        '0002_add_c.sql': 'ALTER TABLE t_dup ADD COLUMN c TEXT;',
      });
      const refused = (e: unknown) => e instanceof TesseraError && e.code === 'ERR_INTERNAL'
        && e.message.includes('0002_add_b.sql') && e.message.includes('0002_add_c.sql');
      try {
        assert.throws(() => loadMigrations(dir), refused);
        await assert.rejects(migrate(db, T0, dir), refused);
        assert.equal(await hasTable(db, 'schema_migrations'), false);
        assert.equal(await hasTable(db, 't_dup'), false);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    test('a misnamed migration file is refused, not skipped', async () => {
      const { db } = await empty();
      const dir = migrationDir({ '0001_create.sql': 'CREATE TABLE t_mis (a TEXT);', '0002-Add-B.sql': 'ALTER TABLE t_mis ADD COLUMN b TEXT;' });
      try {
        await assert.rejects(migrate(db, T0, dir), (e: unknown) => e instanceof TesseraError && e.message.includes('0002-Add-B.sql'));
        assert.equal(await hasTable(db, 't_mis'), false);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    test('a migration numbered below one already applied is refused and nothing runs', async () => {
      const { db } = await empty();
      const dir = migrationDir({ '0001_create.sql': 'CREATE TABLE t_late (a TEXT);', '0003_add_c.sql': 'ALTER TABLE t_late ADD COLUMN c TEXT;' });
      try {
        assert.deepEqual(await migrate(db, T0, dir), [1, 3]);
        writeFileSync(join(dir, '0002_add_b.sql'), 'ALTER TABLE t_late ADD COLUMN b TEXT;');
        await assert.rejects(migrate(db, T0, dir), (e: unknown) => e instanceof TesseraError && /migration 2 \(add_b\) is older than the newest applied migration 3/.test(e.message));
        assert.deepEqual((await recorded(db)).map((r) => r.version), [1, 3]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

describe('migrate on postgres, several servers at once', () => {
  test('concurrent migrate() calls on one schema all succeed and apply each migration once', async () => {
    const e = await openEmpty('postgres');
    try {
      const dbs = [e.db, await e.open(), await e.open()];
      const results = await Promise.all(dbs.map((db, i) => migrate(db, T0 + i)));
      // Whoever ran first applied everything; the others found it done.
      assert.deepEqual(results.flat().sort((a, b) => a - b), SHIPPED.map((m) => m.version));
      assert.equal(results.filter((r) => r.length > 0).length, 1);
      assert.deepEqual((await recorded(e.db)).map((r) => r.version), SHIPPED.map((m) => m.version));
      for (const db of dbs) assert.equal(await migrationsApplied(db), true);
    } finally {
      await e.cleanup();
    }
  });
});
