// The server as a user runs it: a real process, real loopback HTTP, real SQLite file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, statSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startServerProcess, runCliProcess } from '../helpers/cli.ts';
import { connect } from '../../src/cli/client.ts';
import { processIo } from '../../src/cli/io.ts';
import { openStore } from '../../src/store/index.ts';
import { verifyChain } from '../../src/audit/index.ts';

const io = { ...processIo, env: {} };

test('first start prints where it listens and where the admin key is; key files are 0600', async () => {
  const srv = await startServerProcess();
  try {
    const out = srv.stdout();
    assert.match(out, /listening on http:\/\/127\.0\.0\.1:\d+/);
    const keyPath = join(srv.dataDir, 'admin.key');
    assert.match(out, new RegExp(`admin key\\s+${keyPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.equal(statSync(keyPath).mode & 0o777, 0o600);
    assert.equal(statSync(join(srv.dataDir, 'kek')).mode & 0o777, 0o600);
    assert.equal(statSync(srv.dataDir).mode & 0o777, 0o700);
    const health = await fetch(`${srv.url}/healthz`);
    assert.equal(health.status, 200);
    const ready = await fetch(`${srv.url}/readyz`);
    assert.deepEqual(await ready.json(), { status: 'ready', checks: { store: 'ok', migrations: 'ok' } });
  } finally {
    await srv.kill();
    rmSync(srv.dataDir, { recursive: true, force: true });
  }
});

test('a second server on the same data folder refuses with a clear message', async () => {
  const first = await startServerProcess();
  try {
    const second = await runCliProcess(['server', '--data-dir', first.dataDir, '--listen', '127.0.0.1:0', '--log-level', 'silent']);
    assert.notEqual(second.code, 0);
    assert.match(second.stderr, /in use by another Tessera server \(pid \d+, listening on http:\/\/127\.0\.0\.1:\d+\)/);
    // the first one is unaffected
    assert.equal((await fetch(`${first.url}/healthz`)).status, 200);
  } finally {
    await first.kill();
    rmSync(first.dataDir, { recursive: true, force: true });
  }
});

test('SIGTERM: in-flight requests finish, the process exits 0 and releases the lock', async () => {
  const srv = await startServerProcess();
  try {
    const api = connect({ server: srv.url, data: srv.dataDir }, io);
    await api.request('GET', '/v1/identities');
    const inflight = Array.from({ length: 20 }, (_, i) => api.request('POST', '/v1/identities', {
      spiffeId: `spiffe://tessera.local/ns/dev/sa/term-${i}`, owner: 'team-a', environment: 'dev', tier: 3, ttl: '1h',
    }).then(() => 'ok', (e: Error) => e.message));
    await new Promise((r) => setTimeout(r, 5));
    const code = await srv.kill('SIGTERM');
    const results = await Promise.all(inflight);
    assert.equal(code, 0);
    assert.equal(existsSync(join(srv.dataDir, 'server.lock')), false);
    // whatever was acknowledged is stored
    const store = await openStore({ dataDir: srv.dataDir });
    try {
      for (let i = 0; i < results.length; i++) {
        if (results[i] === 'ok') assert.ok(await store.identities.getBySpiffeId(`spiffe://tessera.local/ns/dev/sa/term-${i}`), `acknowledged term-${i} missing`);
      }
    } finally { await store.close(); }
  } finally {
    await srv.kill('SIGKILL');
    rmSync(srv.dataDir, { recursive: true, force: true });
  }
});

test('kill -9 during a burst of creations: every acknowledged identity survives and the chain verifies', async () => {
  const srv = await startServerProcess();
  const acked: string[] = [];
  try {
    const api = connect({ server: srv.url, data: srv.dataDir }, io);
    await api.request('GET', '/v1/identities'); // token cached before the burst
    let n = 0;
    let killed = false;
    const worker = async () => {
      while (!killed) {
        const id = `spiffe://tessera.local/ns/prod/sa/burst-${n++}`;
        try {
          await api.request('POST', '/v1/identities', { spiffeId: id, owner: 'team-burst', environment: 'prod', tier: 1, ttl: '15m' });
          acked.push(id);
        } catch { return; }
      }
    };
    const workers = Array.from({ length: 16 }, worker);
    while (acked.length < 150) await new Promise((r) => setTimeout(r, 5));
    killed = true;
    await srv.kill('SIGKILL');
    await Promise.all(workers);
  } finally {
    await srv.kill('SIGKILL');
  }
  assert.ok(acked.length >= 150);
  // restart on the same folder: the stale lock is taken over, every acknowledged write is there
  const again = await startServerProcess({ dataDir: srv.dataDir });
  try {
    const api = connect({ server: again.url, data: again.dataDir }, io);
    const seen = new Set<string>();
    let cursor: string | undefined;
    do {
      const page = await api.request<{ items: { spiffeId: string }[]; nextCursor?: string }>('GET', `/v1/identities?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      for (const it of page.items) seen.add(it.spiffeId);
      cursor = page.nextCursor;
    } while (cursor);
    const missing = acked.filter((id) => !seen.has(id));
    assert.deepEqual(missing, [], 'acknowledged creations lost after kill -9');
    const verify = await api.request<{ ok: boolean; problems: unknown[] }>('GET', '/v1/audit/verify');
    assert.equal(verify.ok, true, JSON.stringify(verify.problems));
  } finally {
    await again.kill();
  }
  // and offline, straight from the file
  const store = await openStore({ dataDir: srv.dataDir });
  try {
    const result = await verifyChain(store.audit);
    assert.equal(result.ok, true);
    const creates = (await store.audit.list({ action: 'identity.create', outcome: 'success', limit: 100000 })).map((e) => e.target);
    for (const id of acked) assert.ok(creates.includes(id), `no audit event for acknowledged ${id}`);
  } finally {
    await store.close();
    rmSync(srv.dataDir, { recursive: true, force: true });
  }
});
