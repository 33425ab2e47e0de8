import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { openSqlite, openSqliteReadOnly } from '../../src/store/sqlite.ts';
import { tempDir } from '../helpers/test-store.ts';

// Repo SQL uses $1..$n; in-order placeholders bind as plain `?` (fast), anything else as ?NNN.
test('sqlite binds $N placeholders in order, out of order and repeated', async () => {
  const dir = tempDir();
  const db = openSqlite(join(dir, 'p.db'));
  try {
    await db.exec('CREATE TABLE t (a TEXT, b TEXT, c TEXT)');
    await db.run('INSERT INTO t (a, b, c) VALUES ($1, $2, $3)', ['1', '2', '3']);
    await db.run('INSERT INTO t (a, b, c) VALUES ($2, $1, $3)', ['x', 'y', 'z']);
    await db.run('INSERT INTO t (a, b, c) VALUES ($1, $1, $2)', ['r', 's']);
    const rows = await db.all<{ a: string; b: string; c: string }>('SELECT a, b, c FROM t ORDER BY rowid');
    assert.deepEqual(rows.map((r) => [r.a, r.b, r.c]), [['1', '2', '3'], ['y', 'x', 'z'], ['r', 'r', 's']]);
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a read-only sqlite handle reads and refuses every write', async () => {
  const dir = tempDir();
  const file = join(dir, 'r.db');
  const db = openSqlite(file);
  await db.exec('CREATE TABLE t (a TEXT)');
  await db.run('INSERT INTO t (a) VALUES ($1)', ['kept']);
  await db.close();
  const ro = openSqliteReadOnly(file);
  try {
    assert.deepEqual((await ro.all<{ a: string }>('SELECT a FROM t')).map((r) => r.a), ['kept']);
    await assert.rejects(ro.run('INSERT INTO t (a) VALUES ($1)', ['no']), /read-only/);
    await assert.rejects(ro.exec('DELETE FROM t'), /read-only/);
    await assert.rejects(ro.transaction(async () => 1), /read-only/);
    assert.equal((await ro.all('SELECT a FROM t')).length, 1);
  } finally {
    await ro.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
