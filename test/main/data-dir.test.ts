import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDataDir, lockDataDir, LOCK_FILE } from '../../src/main/data-dir.ts';
import { TesseraError } from '../../src/shared/errors.ts';
import { tempDir } from '../helpers/temp.ts';

test('data folder is created 0700', () => {
  const dir = join(tempDir(), 'nested', 'data');
  ensureDataDir(dir);
  assert.equal(statSync(dir).mode & 0o777, 0o700);
});

test('a live lock holder makes the second taker refuse, naming the pid', async () => {
  const dir = tempDir();
  // a real other process that is alive while we try
  const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
  try {
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: other.pid, listen: 'http://127.0.0.1:1' }));
    assert.throws(() => lockDataDir(dir, {}), (e: unknown) => {
      assert.ok(e instanceof TesseraError);
      assert.equal(e.code, 'ERR_DATA_DIR_LOCKED');
      assert.match(e.message, new RegExp(`pid ${other.pid}`));
      return true;
    });
    // refusing changed nothing
    assert.equal(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid, other.pid);
  } finally {
    other.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a lock left by a dead process (kill -9) is taken over; release removes it', async () => {
  const dir = tempDir();
  const dead = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  await new Promise((r) => dead.on('exit', r));
  writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: dead.pid }));
  const release = lockDataDir(dir, { listen: 'x' });
  assert.equal(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).pid, process.pid);
  assert.equal(statSync(join(dir, LOCK_FILE)).mode & 0o777, 0o600);
  assert.throws(() => lockDataDir(dir, {}), /in use by another Tessera server/);
  release();
  assert.equal(existsSync(join(dir, LOCK_FILE)), false);
  rmSync(dir, { recursive: true, force: true });
});
