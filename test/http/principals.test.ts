import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

describe('/v1/principals', () => {
  let t: TestServer;
  before(async () => { t = await startTestServer(); });
  after(async () => { await t.close(); });

  const jwk = () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
  const send = async (method: 'GET' | 'POST', url: string, body?: unknown, roles: ('admin' | 'auditor' | 'workload')[] = ['admin']) => t.app.inject({
    method, url, headers: { authorization: `Bearer ${await t.tokenFor(roles, roles.includes('admin') ? 'admin' : undefined)}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
  });

  test('admin creates a principal (201, Location, wire form); auditors can list it', async () => {
    const key = jwk();
    const res = await send('POST', '/v1/principals', { id: 'spiffe://tessera.local/ci/bot', roles: ['workload'], publicJwk: key, description: 'the CI bot' });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.headers.location, `/v1/principals/${encodeURIComponent('spiffe://tessera.local/ci/bot')}`);
    const p = res.json();
    assert.deepEqual(p.roles, ['workload']);
    assert.deepEqual(p.publicJwk, { kty: 'EC', crv: 'P-256', x: key.x, y: key.y });
    assert.match(p.createdAt, /^\d{4}-\d\d-\d\dT/);
    assert.equal(p.disabledAt, null);
    const list = await send('GET', '/v1/principals', undefined, ['auditor']);
    assert.equal(list.statusCode, 200);
    assert.ok(list.json().items.some((i: { id: string }) => i.id === 'spiffe://tessera.local/ci/bot'));
    const ev = await t.store.audit.last();
    assert.deepEqual([ev!.action, ev!.outcome, ev!.actor], ['principal.create', 'success', 'admin']);
  });

  test('bad bodies: 400 with the field and rule named; nothing stored', async () => {
    const before = (await t.store.principals.list()).length;
    const cases: [unknown, string][] = [
      [{ id: 'BAD', roles: ['workload'], publicJwk: jwk() }, 'id'],
      [{ id: 'ok1', roles: ['superuser'], publicJwk: jwk() }, 'roles'],
      [{ id: 'ok2', roles: [], publicJwk: jwk() }, 'roles'],
      [{ id: 'ok3', roles: ['workload'], publicJwk: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }) }, 'publicJwk.d'],
      [{ id: 'ok4', roles: ['workload'], publicJwk: generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ format: 'jwk' }) }, 'publicJwk.crv'],
      [{ id: 'ok5', roles: ['workload'], publicJwk: jwk(), extra: 1 }, 'extra'],
      [{ roles: ['workload'], publicJwk: jwk() }, 'id'],
      [{ id: 'ok6', roles: 'workload', publicJwk: jwk() }, 'roles'],
      [{ id: 'ok7', roles: ['workload'] }, 'publicJwk'],
    ];
    for (const [body, field] of cases) {
      const res = await send('POST', '/v1/principals', body);
      assert.equal(res.statusCode, 400, `${field}: ${res.body}`);
      assert.equal(res.json().field, field, res.body);
      assert.equal(typeof res.json().rule, 'string');
    }
    const dup = await send('POST', '/v1/principals', { id: 'admin', roles: ['admin'], publicJwk: jwk() });
    assert.equal(dup.statusCode, 409);
    const form = await t.app.inject({ method: 'POST', url: '/v1/principals', headers: { ...(await t.adminHeaders()), 'content-type': 'application/x-www-form-urlencoded' }, payload: 'id=x&roles=admin' });
    assert.equal(form.statusCode, 415);
    assert.equal((await t.store.principals.list()).length, before);
  });

  test('disable: 200 and the principal\'s tokens stop working; yourself is 403; unknown is 404; ids with slashes work', async () => {
    const created = await send('POST', '/v1/principals', { id: 'ops/runner', roles: ['auditor'], publicJwk: jwk() });
    assert.equal(created.statusCode, 201);
    const token = await t.tokenFor(['auditor'], 'ops/runner');
    assert.equal((await t.app.inject({ method: 'GET', url: '/v1/principals', headers: { authorization: `Bearer ${token}` } })).statusCode, 200);
    const res = await send('POST', `/v1/principals/${encodeURIComponent('ops/runner')}/disable`);
    assert.equal(res.statusCode, 200, res.body);
    assert.notEqual(res.json().disabledAt, null);
    assert.equal((await t.app.inject({ method: 'GET', url: '/v1/principals', headers: { authorization: `Bearer ${token}` } })).statusCode, 401);
    const self = await send('POST', '/v1/principals/admin/disable');
    assert.equal(self.statusCode, 403);
    assert.equal(self.json().code, 'ERR_DENIED');
    assert.equal((await send('POST', '/v1/principals/nobody/disable')).statusCode, 404);
    assert.equal((await t.store.principals.get('admin'))!.disabledAt, null);
  });
});
