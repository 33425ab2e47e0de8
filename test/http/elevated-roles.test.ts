// Just-in-time role elevation reaches API authorisation: an approved role grant lets its subject
// call the routes of that role for exactly its window, and every action taken so says so.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fixedClock } from '../../src/shared/clock.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

const ONCALL = 'spiffe://tessera.local/ns/ops/sa/oncall';
const HOUR = 3_600_000;

describe('role elevations in API authorisation', () => {
  let t: TestServer;
  const clock = fixedClock(Date.now());
  let admin: Record<string, string>;
  before(async () => {
    t = await startTestServer({ clock });
    admin = { ...(await t.adminHeaders()), 'content-type': 'application/json' };
    const r = await t.app.inject({ method: 'POST', url: '/v1/identities', headers: admin,
      payload: { spiffeId: ONCALL, owner: 'team-ops', environment: 'prod', tier: 1, ttl: '15m' } });
    assert.equal(r.statusCode, 201, r.body);
  });
  after(async () => { await t.close(); });

  const grant = async (role: string) => {
    const req = await t.app.inject({ method: 'POST', url: '/v1/elevations', headers: admin, payload: { subject: ONCALL, grant: { role }, duration: '1h', reason: 'INC-4711' } });
    assert.equal(req.statusCode, 201, req.body);
    const id = req.json().id as string;
    const approver = await t.tokenFor(['approver'], 'alice@example.com');
    const ok = await t.app.inject({ method: 'POST', url: `/v1/elevations/${id}/approve`, headers: { authorization: `Bearer ${approver}`, 'content-type': 'application/json' }, payload: {} });
    assert.equal(ok.statusCode, 200, ok.body);
    return id;
  };

  test('without a grant the workload is forbidden; with an approved auditor grant it reads; after revoke it is forbidden again', async () => {
    const workload = { authorization: `Bearer ${await t.tokenFor(['workload'], ONCALL)}` };
    assert.equal((await t.app.inject({ method: 'GET', url: '/v1/audit?limit=1', headers: workload })).statusCode, 403);
    const id = await grant('auditor');
    assert.equal((await t.app.inject({ method: 'GET', url: '/v1/audit?limit=1', headers: workload })).statusCode, 200);
    // The grant is for auditor only: admin routes stay closed.
    assert.equal((await t.app.inject({ method: 'POST', url: '/v1/ca/rotate', headers: { ...workload, 'content-type': 'application/json' }, payload: {} })).statusCode, 403);
    const revoke = await t.app.inject({ method: 'POST', url: `/v1/elevations/${id}/revoke`, headers: admin, payload: {} });
    assert.equal(revoke.statusCode, 200, revoke.body);
    assert.equal((await t.app.inject({ method: 'GET', url: '/v1/audit?limit=1', headers: workload })).statusCode, 403);
  });

  test('a grant ends with its window; an action taken under it is audited with the elevated role', async () => {
    const workload = { authorization: `Bearer ${await t.tokenFor(['workload'], ONCALL)}`, 'content-type': 'application/json' };
    await grant('admin');
    const created = await t.app.inject({ method: 'POST', url: '/v1/identities', headers: workload,
      payload: { spiffeId: 'spiffe://tessera.local/ns/ops/sa/hotfix', owner: 'team-ops', environment: 'prod', tier: 1, ttl: '15m' } });
    assert.equal(created.statusCode, 201, created.body);
    const [event] = await t.store.audit.list({ action: 'identity.create', limit: 1, newestFirst: true });
    assert.equal(event!.actor, ONCALL);
    assert.deepEqual(JSON.parse(event!.details).elevatedRoles, ['admin']);
    clock.advance(HOUR);
    const late = { authorization: `Bearer ${await t.tokenFor(['workload'], ONCALL)}` };
    assert.equal((await t.app.inject({ method: 'GET', url: '/v1/identities', headers: late })).statusCode, 403);
  });
});
