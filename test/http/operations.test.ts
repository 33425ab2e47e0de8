// Liveness, readiness, Prometheus metrics and request ids, through the real app on both stores.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import pg from 'pg';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { STORE_KINDS, PG_URL, dropSchema } from '../helpers/test-store.ts';

interface Sample { name: string; labels: Record<string, string>; value: number }

/** Parses the Prometheus text exposition format (0.0.4) into samples; comment lines are skipped. */
function parseMetrics(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: \d+)?$/.exec(line);
    assert.ok(m, `not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    const raw = m[3]!;
    out.push({ name: m[1]!, labels, value: raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : Number(raw) });
  }
  return out;
}

/** The value of the one sample with this name whose labels include `labels`; undefined when absent. */
function valueOf(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const hits = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  assert.ok(hits.length <= 1, `${name} ${JSON.stringify(labels)} matches ${hits.length} samples`);
  return hits[0]?.value;
}

const spiffe = (n: string) => `spiffe://tessera.local/ns/dev/sa/ops-${n}`;

for (const kind of STORE_KINDS) {
  describe(`operations endpoints on ${kind}`, () => {
    let t: TestServer;
    let admin: { authorization: string };
    before(async () => {
      t = await startTestServer({ store: kind });
      admin = await t.adminHeaders();
    });
    after(async () => { await t.close(); });

    const scrape = async () => {
      const res = await t.app.inject({ method: 'GET', url: '/metrics' });
      assert.equal(res.statusCode, 200);
      return { res, samples: parseMetrics(res.body) };
    };
    const createIdentity = async (n: string) => {
      const res = await t.app.inject({
        method: 'POST', url: '/v1/identities', headers: admin,
        payload: { spiffeId: spiffe(n), owner: 'team-ops', environment: 'dev', tier: 3, ttl: '1h' },
      });
      assert.equal(res.statusCode, 201, res.body);
    };

    test('/healthz answers 200 without credentials', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/healthz' });
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json(), { status: 'ok' });
    });

    test('/readyz reports the store reachable and every migration applied', async () => {
      const res = await t.app.inject({ method: 'GET', url: '/readyz' });
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json(), { status: 'ready', checks: { store: 'ok', migrations: 'ok' } });
    });

    test('/metrics is Prometheus text, and every metric carries the tessera_ prefix', async () => {
      const { res, samples } = await scrape();
      const type = String(res.headers['content-type']);
      assert.match(type, /^text\/plain/);
      assert.match(type, /version=0\.0\.4/);
      assert.ok(samples.length > 0);
      const foreign = [...new Set(samples.map((s) => s.name))].filter((n) => !n.startsWith('tessera_'));
      assert.deepEqual(foreign, [], 'metrics without the tessera_ prefix');
      // process and runtime metrics from prom-client's default collectors
      assert.ok(samples.some((s) => s.name === 'tessera_process_cpu_user_seconds_total'), 'no process CPU metric');
      assert.ok(samples.some((s) => s.name === 'tessera_process_start_time_seconds'), 'no process start time');
      assert.ok(samples.some((s) => s.name.startsWith('tessera_nodejs_heap_')), 'no heap metrics');
      assert.match(res.body, /^# TYPE tessera_http_request_duration_seconds histogram$/m);
      assert.match(res.body, /^# TYPE tessera_audit_events_total counter$/m);
    });

    test('a request is observed in the duration histogram under its route pattern, not its raw URL', async () => {
      const labels = { method: 'GET', route: '/v1/identities/:id', status: '404' };
      const before = valueOf((await scrape()).samples, 'tessera_http_request_duration_seconds_count', labels) ?? 0;
      const res = await t.app.inject({ method: 'GET', url: '/v1/identities/0190f000-0000-7000-8000-000000000000', headers: admin });
      assert.equal(res.statusCode, 404, res.body);
      const { samples } = await scrape();
      assert.equal(valueOf(samples, 'tessera_http_request_duration_seconds_count', labels), before + 1);
      assert.equal(valueOf(samples, 'tessera_http_request_duration_seconds_bucket', { ...labels, le: '+Inf' }), before + 1);
      const sum = valueOf(samples, 'tessera_http_request_duration_seconds_sum', labels);
      assert.ok(sum !== undefined && sum >= 0);
      assert.ok(!samples.some((s) => s.labels.route?.includes('0190f000')), 'a raw URL leaked into a route label');

      // Unknown paths share one label, so scanners cannot blow up the label set.
      await t.app.inject({ method: 'GET', url: '/no/such/path-d41d8cd9' });
      const after = (await scrape()).samples;
      assert.ok(!after.some((s) => s.labels.route?.includes('d41d8cd9')), 'an unknown path became a label');
      assert.ok((valueOf(after, 'tessera_http_request_duration_seconds_count', { method: 'GET', route: 'unmatched', status: '404' }) ?? 0) >= 1);
    });

    test('creating an identity increments the audit counter and the identity and head gauges follow the store', async () => {
      const labels = { action: 'identity.create', outcome: 'success' };
      const before = valueOf((await scrape()).samples, 'tessera_audit_events_total', labels) ?? 0;
      await createIdentity('a');
      await createIdentity('b');
      const { samples } = await scrape();
      assert.equal(valueOf(samples, 'tessera_audit_events_total', labels), before + 2);
      const count = await t.store.identities.count();
      assert.ok(count >= 2);
      assert.equal(valueOf(samples, 'tessera_identities'), count);
      const head = await t.store.audit.head();
      assert.ok(head.seq > 0);
      assert.equal(valueOf(samples, 'tessera_audit_head_seq'), head.seq);
      // a refused creation counts under its own outcome, not as a success
      const refused = await t.app.inject({
        method: 'POST', url: '/v1/identities', headers: admin,
        payload: { spiffeId: spiffe('a'), owner: 'team-ops', environment: 'dev', tier: 3, ttl: '1h' },
      });
      assert.equal(refused.statusCode, 409, refused.body);
      const again = (await scrape()).samples;
      assert.equal(valueOf(again, 'tessera_audit_events_total', labels), before + 2);
      assert.equal(valueOf(again, 'tessera_identities'), count);
    });

    test('a revocation is observed in the MTTR histogram: detection to revocation, by kind', async () => {
      const detectedAt = new Date(Date.now() - 90_000).toISOString();
      const res = await t.app.inject({ method: 'POST', url: '/v1/revocations', headers: admin, payload: { jti: `mttr-${kind}`, reason: 'leak', detectedAt } });
      assert.equal(res.statusCode, 201, res.body);
      const { samples } = await scrape();
      assert.equal(valueOf(samples, 'tessera_revocation_mttr_seconds_count', { kind: 'jti' }), 1);
      const sum = valueOf(samples, 'tessera_revocation_mttr_seconds_sum', { kind: 'jti' })!;
      assert.ok(sum >= 90 && sum < 150, `MTTR ${sum}s for a credential detected 90 s before its revocation`);
      assert.equal(valueOf(samples, 'tessera_revocation_mttr_seconds_bucket', { kind: 'jti', le: '60' }), 0);
      assert.equal(valueOf(samples, 'tessera_revocation_mttr_seconds_bucket', { kind: 'jti', le: '300' }), 1);
    });

    test('every response carries x-request-id; a well-formed one is echoed, anything else replaced', async () => {
      const plain = await t.app.inject({ method: 'GET', url: '/healthz' });
      const generated = String(plain.headers['x-request-id']);
      assert.match(generated, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      const other = await t.app.inject({ method: 'GET', url: '/healthz' });
      assert.notEqual(other.headers['x-request-id'], generated);

      const given = 'trace-01.abc:XYZ_9';
      const echoed = await t.app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': given } });
      assert.equal(echoed.headers['x-request-id'], given);
      const longest = 'a'.repeat(128);
      assert.equal((await t.app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': longest } })).headers['x-request-id'], longest);

      for (const bad of ['has spaces in it', 'x'.repeat(200), 'a'.repeat(129), 'new\\nline', '<script>', '']) {
        const res = await t.app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': bad } });
        const id = String(res.headers['x-request-id']);
        assert.notEqual(id, bad);
        assert.match(id, /^[0-9a-f-]{36}$/, `replacement for ${JSON.stringify(bad)} is not a generated id`);
      }

      // also on refusals, errors and unknown routes, and in the problem body
      const denied = await t.app.inject({ method: 'GET', url: '/v1/identities', headers: { 'x-request-id': 'req-denied-1' } });
      assert.equal(denied.statusCode, 401);
      assert.equal(denied.headers['x-request-id'], 'req-denied-1');
      assert.equal(denied.json().requestId, 'req-denied-1');
      const missing = await t.app.inject({ method: 'GET', url: '/nowhere', headers: { 'x-request-id': 'req-404' } });
      assert.equal(missing.statusCode, 404);
      assert.equal(missing.headers['x-request-id'], 'req-404');
      assert.equal(missing.json().requestId, 'req-404');
      const badBody = await t.app.inject({ method: 'POST', url: '/v1/identities', headers: { ...admin, 'x-request-id': 'req-400' }, payload: { nope: 1 } });
      assert.equal(badBody.statusCode, 400);
      assert.equal(badBody.headers['x-request-id'], 'req-400');
    });

    test('the request id of an audited change is the one the caller gave', async () => {
      const res = await t.app.inject({
        method: 'POST', url: '/v1/identities', headers: { ...admin, 'x-request-id': `req-create-${kind}` },
        payload: { spiffeId: spiffe('rid'), owner: 'team-ops', environment: 'dev', tier: 3, ttl: '1h' },
      });
      assert.equal(res.statusCode, 201, res.body);
      const last = await t.store.audit.last();
      assert.deepEqual([last!.action, last!.requestId], ['identity.create', `req-create-${kind}`]);
    });
  });

  describe(`/readyz on ${kind} when something is wrong`, () => {
    /** A fresh server for each fault; `closed` means the test closed the database itself. */
    async function withServer(fn: (t: TestServer) => Promise<boolean | void>): Promise<void> {
      const t = await startTestServer({ store: kind });
      let closed = false;
      try {
        assert.equal((await t.app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
        closed = (await fn(t)) === true;
      } finally {
        if (closed) {
          // the store's own close would close the database a second time
          await t.app.close();
          if (kind === 'postgres') await dropSchema(schemaOf(t));
          rmSync(t.dataDir, { recursive: true, force: true });
        } else {
          await t.close();
        }
      }
    }
    const schemaOf = (t: TestServer) => /search_path%3D([a-z0-9_]+)/.exec(t.services.config.databaseUrl!)![1]!;
    async function notReady(t: TestServer, checks: Record<string, string>) {
      const res = await t.app.inject({ method: 'GET', url: '/readyz' });
      assert.equal(res.statusCode, 503, res.body);
      assert.deepEqual(res.json(), { status: 'not ready', checks });
      // liveness is not readiness: the process is alive and says so
      assert.equal((await t.app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
    }

    test('store closed: 503 naming the store as unreachable, without the database error text', async () => {
      await withServer(async (t) => {
        await t.store.db.close();
        await notReady(t, { store: 'unreachable', migrations: 'unknown' });
        return true;
      });
    });

    test('a migration not applied: 503 naming migrations as pending', async () => {
      await withServer(async (t) => {
        await t.store.db.run('DELETE FROM schema_migrations WHERE version = $1', [1]);
        await notReady(t, { store: 'ok', migrations: 'pending' });
      });
    });

    if (kind === 'postgres') {
      test('schema dropped under the server: the database answers, the migrations check fails', async () => {
        await withServer(async (t) => {
          const c = new pg.Client({ connectionString: PG_URL });
          await c.connect();
          try { await c.query(`DROP SCHEMA ${schemaOf(t)} CASCADE`); } finally { await c.end(); }
          await notReady(t, { store: 'ok', migrations: 'error' });
        });
      });
    }
  });
}
