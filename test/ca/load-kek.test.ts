import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { loadKek, decodeKek, KEK_ENV } from '../../src/ca/index.ts';
import { isTesseraError } from '../../src/shared/errors.ts';
import { tempDir } from '../helpers/test-store.ts';

const withDir = async (fn: (dir: string) => void | Promise<void>) => {
  const dir = tempDir('tessera-kek-');
  try { await fn(dir); } finally { rmSync(dir, { recursive: true, force: true }); }
};

test('first start creates <dataDir>/kek with mode 0600 holding 32 random bytes, and reuses it', () => withDir((dir) => {
  const a = loadKek({ dataDir: dir, env: {} });
  assert.equal(a.created, true);
  assert.equal(a.key.length, 32);
  const path = join(dir, 'kek');
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.deepEqual(decodeKek(readFileSync(path, 'utf8').trim()), a.key);
  const b = loadKek({ dataDir: dir, env: {} });
  assert.equal(b.created, false);
  assert.deepEqual(b.key, a.key);
  // No temporary file is left behind by the atomic write.
  assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith('kek')), ['kek']);
}));

test('a data folder that does not exist yet is created with mode 0700', () => withDir((dir) => {
  const nested = join(dir, 'a', 'b');
  loadKek({ dataDir: nested, env: {} });
  assert.equal(statSync(nested).mode & 0o777, 0o700);
}));

test('a kek file readable by others is refused with ERR_KEK naming the file; nothing is changed', () => withDir((dir) => {
  loadKek({ dataDir: dir, env: {} });
  const path = join(dir, 'kek');
  const before = readFileSync(path, 'utf8');
  for (const mode of [0o644, 0o640, 0o604, 0o660]) {
    chmodSync(path, mode);
    assert.throws(() => loadKek({ dataDir: dir, env: {} }), (e) => isTesseraError(e, 'ERR_KEK') && e.message.includes(path) && /chmod 600/.test(e.message));
    assert.equal(readFileSync(path, 'utf8'), before);
  }
  chmodSync(path, 0o400); // tighter than 0600 is fine
  assert.equal(loadKek({ dataDir: dir, env: {} }).key.length, 32);
}));

test('a malformed kek file is refused with ERR_KEK', () => withDir((dir) => {
  const path = join(dir, 'kek');
  for (const content of ['', 'not base64!', randomBytes(16).toString('base64url'), randomBytes(33).toString('base64url'), `${randomBytes(32).toString('base64url')}\n\n`]) {
    writeFileSync(path, content, { mode: 0o600 });
    chmodSync(path, 0o600);
    assert.throws(() => loadKek({ dataDir: dir, env: {} }), (e) => isTesseraError(e, 'ERR_KEK') && e.message.includes(path));
  }
}));

test('TESSERA_KEK takes base64url or base64 of 32 bytes and no file is written', () => withDir((dir) => {
  const raw = randomBytes(32);
  for (const text of [raw.toString('base64url'), raw.toString('base64'), raw.toString('base64').replace(/=$/, '')]) {
    const k = loadKek({ dataDir: dir, env: { [KEK_ENV]: text } });
    assert.deepEqual(k.key, raw);
    assert.match(k.source, /TESSERA_KEK/);
  }
  assert.equal(existsSync(join(dir, 'kek')), false);
}));

test('a malformed TESSERA_KEK is refused with ERR_KEK naming the variable (never echoing it)', () => withDir((dir) => {
  const bad = ['not-a-key!', randomBytes(31).toString('base64url'), randomBytes(33).toString('base64'), `${randomBytes(32).toString('base64url')} `,
    randomBytes(32).toString('hex'), `${randomBytes(32).toString('base64url')}==`];
  for (const v of bad) {
    assert.throws(() => loadKek({ dataDir: dir, env: { [KEK_ENV]: v } }), (e) => isTesseraError(e, 'ERR_KEK') && e.message.includes(KEK_ENV) && !e.message.includes(v));
  }
  assert.equal(existsSync(join(dir, 'kek')), false);
}));

test('non-canonical base64 (stray low bits in the last character) is not a KEK', () => {
  const good = randomBytes(32).toString('base64url');
  const last = good.at(-1)!;
  // 32 bytes leave 2 unused bits in the last of 43 characters: flipping them gives another spelling.
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const twin = alphabet[(alphabet.indexOf(last) & ~3) | ((alphabet.indexOf(last) & 3) ^ 1)]!;
  assert.ok(decodeKek(good));
  assert.equal(decodeKek(good.slice(0, -1) + twin), undefined);
});
