// `tessera server` on PostgreSQL as a user runs it: a real process, a real database (each test in
// its own schema), kill -9 and restart, and a clear refusal when the database cannot be reached.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { startServerProcess, runCliProcess, type ServerProcess } from '../helpers/cli.ts';
import { PG_URL, dropSchema } from '../helpers/test-store.ts';
import { tempDir } from '../helpers/temp.ts';
import { connect } from '../../src/cli/client.ts';
import { processIo, EXIT } from '../../src/cli/io.ts';
import { SQLITE_FILE } from '../../src/store/index.ts';

const io = { ...processIo, env: {} };

async function withSchema(fn: (schema: string, url: string) => Promise<void>): Promise<void> {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try { await c.query(`CREATE SCHEMA ${schema}`); } finally { await c.end(); }
  const url = `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}options=-c%20search_path%3D${schema}`;
  try { await fn(schema, url); } finally { await dropSchema(schema); }
}

/** Rows straight from the schema, not through the server. */
async function query<T>(schema: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    await c.query(`SET search_path TO ${schema}`);
    return (await c.query(sql, params)).rows as T[];
  } finally { await c.end(); }
}

async function ready(srv: ServerProcess): Promise<void> {
  const res = await fetch(`${srv.url}/readyz`);
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { status: 'ready', checks: { store: 'ok', migrations: 'ok' } });
}

const identity = (n: string) => ({ spiffeId: `spiffe://tessera.local/ns/prod/sa/pg-${n}`, owner: 'team-pg', environment: 'prod', tier: 1, ttl: '15m' });

describe('tessera server on PostgreSQL', () => {
  test('--database-url: ready, an identity created by the CLI client survives kill -9 and the chain verifies', async () => {
    await withSchema(async (schema, url) => {
      const dataDir = tempDir('tessera-pg-');
      let srv = await startServerProcess({ dataDir, args: ['--database-url', url] });
      try {
        assert.match(srv.stdout(), /store\s+PostgreSQL/);
        await ready(srv);
        const api = connect({ server: srv.url, data: dataDir }, io);
        const created = await api.request<{ id: string; spiffeId: string }>('POST', '/v1/identities', identity('a'));
        assert.equal(created.spiffeId, identity('a').spiffeId);
        // It is in this schema, and the embedded store was never created.
        const rows = await query<{ spiffe_id: string }>(schema, 'SELECT spiffe_id FROM identities');
        assert.deepEqual(rows.map((r) => r.spiffe_id), [identity('a').spiffeId]);
        assert.equal(existsSync(join(dataDir, SQLITE_FILE)), false, 'a SQLite file was created next to a PostgreSQL store');

        assert.equal(await srv.kill('SIGKILL'), -1);
        srv = await startServerProcess({ dataDir, args: ['--database-url', url] });
        await ready(srv);
        const again = connect({ server: srv.url, data: dataDir }, io);
        const got = await again.request<{ id: string; spiffeId: string; owner: string }>('GET', `/v1/identities/${created.id}`);
        assert.deepEqual([got.spiffeId, got.owner], [identity('a').spiffeId, 'team-pg']);
        const verify = await again.request<{ ok: boolean; problems: unknown[] }>('GET', '/v1/audit/verify');
        assert.equal(verify.ok, true, JSON.stringify(verify.problems));
        const events = await query<{ action: string; target: string }>(schema, "SELECT action, target FROM audit_events WHERE action = 'identity.create'");
        assert.deepEqual(events.map((e) => e.target), [identity('a').spiffeId]);
      } finally {
        await srv.kill('SIGKILL');
        rmSync(dataDir, { recursive: true, force: true });
      }
    });
  });

  test('TESSERA_DATABASE_URL in the environment selects PostgreSQL the same way', async () => {
    await withSchema(async (schema, url) => {
      const dataDir = tempDir('tessera-pg-');
      const srv = await startServerProcess({ dataDir, env: { TESSERA_DATABASE_URL: url } });
      try {
        assert.match(srv.stdout(), /store\s+PostgreSQL/);
        await ready(srv);
        const api = connect({ server: srv.url, data: dataDir }, io);
        await api.request('POST', '/v1/identities', identity('env'));
        const rows = await query<{ spiffe_id: string }>(schema, 'SELECT spiffe_id FROM identities');
        assert.deepEqual(rows.map((r) => r.spiffe_id), [identity('env').spiffeId]);
        assert.equal(existsSync(join(dataDir, SQLITE_FILE)), false);
      } finally {
        assert.equal(await srv.kill(), 0);
        rmSync(dataDir, { recursive: true, force: true });
      }
    });
  });

  test('an unreachable database: exit 1 with one clear line naming the store, no stack, no secret, lock released', async () => {
    const dataDir = tempDir('tessera-pg-');
    try {
      const r = await runCliProcess(['server', '--data-dir', dataDir, '--listen', '127.0.0.1:0', '--log-level', 'warn',
        '--database-url', 'postgres://tessera:hunter2@127.0.0.1:1/tessera']);
      assert.equal(r.code, EXIT.FAIL, r.stderr);
      assert.doesNotMatch(r.stdout, /listening on/);
      assert.match(r.stderr, /^tessera: cannot open the PostgreSQL store at 127\.0\.0\.1:1\/tessera: .*\[ERR_STORE_UNAVAILABLE\]$/m);
      assert.doesNotMatch(r.stderr, /^\s+at /m, 'a stack trace was printed');
      assert.ok(!r.stderr.includes('hunter2'), 'the database password was printed');
      assert.equal(existsSync(join(dataDir, 'server.lock')), false, 'the data folder lock was left behind');
      assert.equal(existsSync(join(dataDir, 'kek')), false, 'keys were created for a server that never started');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('the same through TESSERA_DATABASE_URL', async () => {
    const dataDir = tempDir('tessera-pg-');
    try {
      const r = await runCliProcess(['server', '--data-dir', dataDir, '--listen', '127.0.0.1:0', '--log-level', 'warn'],
        { TESSERA_DATABASE_URL: 'postgres://postgres@127.0.0.1:1/test' });
      assert.equal(r.code, EXIT.FAIL, r.stderr);
      assert.match(r.stderr, /cannot open the PostgreSQL store at 127\.0\.0\.1:1\/test.*\[ERR_STORE_UNAVAILABLE\]/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
