import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

let t: TestServer;
before(async () => { t = await startTestServer(); });
after(async () => { await t.close(); });

const get = async (role: 'admin' | 'auditor' | 'workload') => t.app.inject({ method: 'GET', url: '/v1/ca', headers: { authorization: `Bearer ${await t.tokenFor([role])}` } });
const rotate = async (payload?: unknown, role: 'admin' | 'auditor' = 'admin') => t.app.inject({
  method: 'POST', url: '/v1/ca/rotate', headers: { authorization: `Bearer ${await t.tokenFor([role], role === 'admin' ? 'admin' : undefined)}`, 'x-request-id': 'req-rot' },
  ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
});

test('GET /v1/ca: keys, their state and the schedule, for admins and auditors', async () => {
  for (const role of ['admin', 'auditor'] as const) {
    const res = await get(role);
    assert.equal(res.statusCode, 200);
    const s = res.json();
    assert.equal(s.trustDomain, 'tessera.local');
    assert.equal(s.jwtAlg, 'ES256');
    assert.equal(s.svidMaxTtl, '1h');
    assert.equal(s.caTtl, '1d');
    assert.equal(s.intermediate, false);
    assert.equal(s.jwt.active, t.services.ca.jwtSigner().kid);
    assert.ok(s.jwt.prepared);
    assert.equal(s.x509Ca.active, t.services.ca.x509Issuer().kid);
    assert.ok(Date.parse(s.jwt.activateAt) > Date.now());
    assert.ok(Date.parse(s.x509Ca.prepareAt) < Date.parse(s.x509Ca.activateAt));
    assert.equal(s.sequence, t.services.ca.sequence());
    const active = s.keys.find((k: { kid: string }) => k.kid === s.x509Ca.active);
    assert.equal(active.published, true);
    assert.ok(active.notAfter);
    assert.ok(s.keys.every((k: Record<string, unknown>) => !('privateKeyEnc' in k) && !('certDer' in k)));
  }
  assert.equal((await get('workload')).statusCode, 403);
});

test('POST /v1/ca/rotate: the chosen kind rotates at once, audited with the caller; the other kind is untouched', async () => {
  const jwt = t.services.ca.jwtSigner().kid;
  const ca = t.services.ca.x509Issuer().kid;
  const res = await rotate({ kind: 'jwt' });
  assert.equal(res.statusCode, 200, res.body);
  assert.notEqual(res.json().jwt.active, jwt);
  assert.equal(res.json().jwt.active, t.services.ca.jwtSigner().kid);
  assert.equal(res.json().x509Ca.active, ca);
  const retired = res.json().keys.find((k: { kid: string }) => k.kid === jwt);
  assert.equal(retired.status, 'retired');
  assert.equal(retired.published, true);
  const events = await t.store.audit.list({ action: 'ca.key.retire', limit: 10, newestFirst: true });
  assert.equal(events[0]!.target, jwt);
  assert.equal(events[0]!.actor, 'admin');
  assert.equal(events[0]!.requestId, 'req-rot');

  const all = await rotate();
  assert.equal(all.statusCode, 200, all.body);
  assert.notEqual(all.json().x509Ca.active, ca, 'no body rotates everything');
});

test('POST /v1/ca/rotate refuses an unknown kind (field named) and callers without the admin role; nothing changes', async () => {
  const before = await t.store.keys.list();
  const bad = await rotate({ kind: 'everything' });
  assert.equal(bad.statusCode, 400);
  assert.equal(bad.json().field, 'kind');
  assert.equal((await rotate({ kind: 'jwt', force: true })).json().field, 'force');
  assert.equal((await rotate({ kind: 'jwt' }, 'auditor')).statusCode, 403);
  assert.deepEqual(await t.store.keys.list(), before);
});
