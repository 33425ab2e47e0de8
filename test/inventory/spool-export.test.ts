import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { removeStaleSpools, spoolExport } from '../../src/inventory/spool-export.ts';
import { isTesseraError } from '../../src/shared/errors.ts';
import { startTestServer } from '../helpers/test-server.ts';
import { tempDir } from '../helpers/temp.ts';

async function* pieces(...parts: string[]) { for (const p of parts) yield Buffer.from(p); }

test('an upload is spooled to a 0600 file with its sha256 and size, and read back in pieces', async () => {
  const dir = join(tempDir('tessera-spool-'), 'tmp');
  const s = await spoolExport(pieces('user,arn\n', 'a,arn:aws:iam::1:user/a\n'), dir, 1024);
  assert.equal(s.bytes, 33);
  assert.equal(s.digest, createHash('sha256').update('user,arn\na,arn:aws:iam::1:user/a\n').digest('hex'));
  assert.equal(statSync(s.path).mode & 0o777, 0o600);
  const back: Buffer[] = [];
  for await (const c of s.chunks()) back.push(c);
  assert.equal(Buffer.concat(back).toString(), readFileSync(s.path, 'utf8'));
  s.remove();
  assert.equal(existsSync(s.path), false);
});

test('an upload over the limit is refused (ERR_BODY_TOO_LARGE, field file) and leaves no file', async () => {
  const dir = join(tempDir('tessera-spool-'), 'tmp');
  await assert.rejects(spoolExport(pieces('x'.repeat(600), 'y'.repeat(600)), dir, 1024),
    (e) => isTesseraError(e, 'ERR_BODY_TOO_LARGE') && e.details?.field === 'file');
  assert.deepEqual(readdirSync(dir), []);
});

test('uploads a crashed server left behind are removed when the server starts; other files are kept', async () => {
  const dataDir = tempDir('tessera-spool-data-');
  mkdirSync(join(dataDir, 'tmp'), { recursive: true });
  writeFileSync(join(dataDir, 'tmp', 'import-0123456789abcdef.tmp'), 'left over');
  writeFileSync(join(dataDir, 'tmp', 'keep-me.txt'), 'not ours');
  assert.equal(removeStaleSpools(join(tempDir('none-'), 'missing')), 0);
  const t = await startTestServer({ config: { dataDir } });
  try {
    assert.deepEqual(readdirSync(join(dataDir, 'tmp')), ['keep-me.txt']);
  } finally {
    await t.close();
  }
});
