import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getAdminToken, TOKEN_CACHE_FILE } from '../../src/cli/admin-token.ts';
import { isTesseraError } from '../../src/shared/errors.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { tempDir } from '../helpers/test-store.ts';

describe('CLI admin token (RFC 7523 assertion signed with admin.key)', () => {
  let t: TestServer;
  before(async () => { t = await startTestServer({ listen: true }); });
  after(async () => { await t.close(); });

  const issued = async () => (await t.store.audit.list({ action: 'token.issue', limit: 10_000 })).length;
  const cachePath = () => join(t.dataDir, TOKEN_CACHE_FILE);

  test('exchanges a fresh assertion for an admin token, caches it (0600) and reuses it until near expiry', async () => {
    rmSync(cachePath(), { force: true });
    const n = await issued();
    const token = await getAdminToken({ server: t.url, dataDir: t.dataDir });
    assert.deepEqual(await t.services.access.authenticate(`Bearer ${token}`), { id: 'admin', roles: ['admin'] });
    assert.equal(await issued(), n + 1);
    assert.equal(statSync(cachePath()).mode & 0o777, 0o600);
    const cache = JSON.parse(readFileSync(cachePath(), 'utf8'));
    assert.equal(cache.accessToken, token);
    assert.equal(cache.server, t.url);
    assert.ok(cache.expiresAt > Date.now() + 60_000);

    assert.equal(await getAdminToken({ server: `${t.url}/`, dataDir: t.dataDir }), token, 'cached (trailing slash is the same server)');
    assert.equal(await issued(), n + 1, 'no new token was issued');

    const fresh = await getAdminToken({ server: t.url, dataDir: t.dataDir, refresh: true });
    assert.notEqual(fresh, token);
    assert.equal(await issued(), n + 2);

    // Within 30 s of expiry the cached token is replaced.
    writeFileSync(cachePath(), JSON.stringify({ ...cache, accessToken: fresh, expiresAt: Date.now() + 20_000 }), { mode: 0o600 });
    assert.notEqual(await getAdminToken({ server: t.url, dataDir: t.dataDir }), fresh);
    assert.equal(await issued(), n + 3);
  });

  test('concurrent callers in one process share one exchange', async () => {
    rmSync(cachePath(), { force: true });
    const n = await issued();
    const tokens = await Promise.all(Array.from({ length: 5 }, () => getAdminToken({ server: t.url, dataDir: t.dataDir })));
    assert.equal(new Set(tokens).size, 1);
    assert.equal(await issued(), n + 1);
  });

  test('a cache for another server, or readable by others, is not used', async () => {
    const token = await getAdminToken({ server: t.url, dataDir: t.dataDir, refresh: true });
    const n = await issued();
    const cache = JSON.parse(readFileSync(cachePath(), 'utf8'));
    writeFileSync(cachePath(), JSON.stringify({ ...cache, server: 'http://127.0.0.1:1' }));
    assert.notEqual(await getAdminToken({ server: t.url, dataDir: t.dataDir }), token);
    assert.equal(await issued(), n + 1);
    chmodSync(cachePath(), 0o644);
    await getAdminToken({ server: t.url, dataDir: t.dataDir });
    assert.equal(await issued(), n + 2);
    assert.equal(statSync(cachePath()).mode & 0o777, 0o600, 'rewritten with 0600');
  });

  test('no admin.key in --data: ERR_INVALID_INPUT naming the file and --data', async () => {
    const empty = tempDir();
    try {
      await assert.rejects(getAdminToken({ server: t.url, dataDir: empty }),
        (e) => isTesseraError(e, 'ERR_INVALID_INPUT') && e.message.includes(join(empty, 'admin.key')) && e.message.includes('--data'));
    } finally { rmSync(empty, { recursive: true, force: true }); }
  });

  test('server unreachable: ERR_SERVER_UNREACHABLE naming the server', async () => {
    const dir = tempDir();
    try {
      copyFileSync(join(t.dataDir, 'admin.key'), join(dir, 'admin.key'));
      chmodSync(join(dir, 'admin.key'), 0o600);
      await assert.rejects(getAdminToken({ server: 'http://127.0.0.1:1', dataDir: dir }),
        (e) => isTesseraError(e, 'ERR_SERVER_UNREACHABLE') && e.message.includes('http://127.0.0.1:1'));
      assert.equal(existsSync(join(dir, TOKEN_CACHE_FILE)), false);
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });

  test('an admin.key the server does not know is refused (ERR_INVALID_GRANT) and nothing is cached', async () => {
    const other = await startTestServer();
    try {
      const n = await issued();
      await assert.rejects(getAdminToken({ server: t.url, dataDir: other.dataDir }),
        (e) => isTesseraError(e, 'ERR_INVALID_GRANT') && e.message.includes('admin.key'));
      assert.equal(await issued(), n);
      assert.equal(existsSync(join(other.dataDir, TOKEN_CACHE_FILE)), false);
    } finally { await other.close(); }
  });

  test('an admin.key readable by others is refused before anything is sent', async () => {
    const dir = tempDir();
    try {
      copyFileSync(join(t.dataDir, 'admin.key'), join(dir, 'admin.key'));
      chmodSync(join(dir, 'admin.key'), 0o644);
      const n = await issued();
      await assert.rejects(getAdminToken({ server: t.url, dataDir: dir }), (e) => isTesseraError(e, 'ERR_CONFIG') && e.message.includes('chmod 600'));
      assert.equal(await issued(), n);
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });
});
