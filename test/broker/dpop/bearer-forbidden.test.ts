// The "bearer tokens forbidden" flag on identities: HTTP API, guardrail errors and CLI flags.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { runCli } from '../../helpers/cli.ts';

const base = { owner: 'team-ci', environment: 'prod', tier: 1, ttl: '15m' };

describe('identity bearerForbidden', () => {
  let t: TestServer;
  let admin: { authorization: string };
  let flags: string[];
  before(async () => {
    t = await startTestServer({ listen: true });
    admin = await t.adminHeaders();
    flags = ['--server', t.url, '--data', t.dataDir];
  });
  after(async () => { await t?.close(); });

  const post = (payload: unknown) => t.app.inject({ method: 'POST', url: '/v1/identities', headers: admin, payload: payload as object });

  test('defaults to false, can be set on create, and is returned and audited', async () => {
    const plain = await post({ ...base, spiffeId: 'spiffe://tessera.local/ci/plain' });
    assert.equal(plain.statusCode, 201, plain.body);
    assert.equal(plain.json().bearerForbidden, false);
    const strict = await post({ ...base, spiffeId: 'spiffe://tessera.local/ci/strict', bearerForbidden: true });
    assert.equal(strict.statusCode, 201, strict.body);
    assert.equal(strict.json().bearerForbidden, true);
    assert.equal((await t.store.identities.getBySpiffeId('spiffe://tessera.local/ci/strict'))?.bearerForbidden, true);
    assert.equal(JSON.parse((await t.store.audit.last())!.details).bearerForbidden, true);
  });

  test('a non-boolean value is refused naming the field, and nothing is stored', async () => {
    const before = await t.store.identities.count();
    for (const bearerForbidden of ['yes', 1, null]) {
      const res = await post({ ...base, spiffeId: 'spiffe://tessera.local/ci/bad', bearerForbidden });
      assert.equal(res.statusCode, 400);
      assert.equal(res.json().code, 'ERR_INVALID_INPUT');
      assert.equal(res.json().field, 'bearerForbidden');
    }
    assert.equal(await t.store.identities.count(), before);
  });

  test('update turns it on and off; the change is audited', async () => {
    const created = await post({ ...base, spiffeId: 'spiffe://tessera.local/ci/toggle' });
    const id = created.json().id as string;
    const on = await t.app.inject({ method: 'PATCH', url: `/v1/identities/${id}`, headers: admin, payload: { bearerForbidden: true } });
    assert.equal(on.statusCode, 200, on.body);
    assert.equal(on.json().bearerForbidden, true);
    const ev = await t.store.audit.last();
    assert.equal(ev?.action, 'identity.update');
    assert.deepEqual(JSON.parse(ev!.details).changed.bearerForbidden, { from: false, to: true });
    const bad = await t.app.inject({ method: 'PATCH', url: `/v1/identities/${id}`, headers: admin, payload: { bearerForbidden: 'no' } });
    assert.equal(bad.statusCode, 400);
    assert.equal((await t.store.identities.get(id))?.bearerForbidden, true);
    const off = await t.app.inject({ method: 'PATCH', url: `/v1/identities/${id}`, headers: admin, payload: { bearerForbidden: false } });
    assert.equal(off.json().bearerForbidden, false);
  });

  test('CLI: --bearer-forbidden on create, --no-bearer-forbidden on update, both together is bad usage', async () => {
    const id = 'spiffe://tessera.local/ci/cli';
    const c = await runCli(['identity', 'create', '--spiffe-id', id, '--owner', 'team-ci', '--env', 'prod', '--tier', '1', '--ttl', '15m', '--bearer-forbidden', '--json', ...flags]);
    assert.equal(c.code, 0, c.stderr);
    assert.equal(JSON.parse(c.stdout).bearerForbidden, true);
    const g = await runCli(['identity', 'get', id, ...flags]);
    assert.match(g.stdout, /^bearer tokens: +forbidden/m);
    const u = await runCli(['identity', 'update', id, '--no-bearer-forbidden', '--json', ...flags]);
    assert.equal(u.code, 0, u.stderr);
    assert.equal(JSON.parse(u.stdout).bearerForbidden, false);
    const both = await runCli(['identity', 'update', id, '--bearer-forbidden', '--no-bearer-forbidden', ...flags]);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /--no-bearer-forbidden/);
    assert.equal((await t.store.identities.getBySpiffeId(id))?.bearerForbidden, false);
  });
});
