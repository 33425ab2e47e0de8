import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { STORE_KINDS } from '../helpers/test-store.ts';

const TD = 'spiffe://tessera.local';
const identity = (path: string, over: Record<string, unknown> = {}) => ({ spiffeId: `${TD}/${path}`, owner: 'team-a', environment: 'prod', tier: 1, ttl: '15m', ...over });

for (const kind of STORE_KINDS) {
  describe(`/v1/policies (${kind})`, () => {
    let t: TestServer;
    let admin: { authorization: string };
    before(async () => { t = await startTestServer({ store: kind }); admin = await t.adminHeaders(); });
    after(async () => { await t.close(); });

    const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown, headers = admin) =>
      t.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });

    test('the live set lists the built-in policies with their source; status is ok', async () => {
      const r = await call('GET', '/v1/policies');
      assert.equal(r.statusCode, 200);
      const items = r.json().items as { name: string; source: string }[];
      assert.ok(items.some((p) => p.name === 'guardrail-owner-required' && p.source === 'built-in'));
      const st = (await call('GET', '/v1/policies/status')).json();
      assert.deepEqual([st.ok, st.error], [true, null]);
    });

    test('a custom deny policy refuses identity creation through the policy engine (403 naming it, audited)', async () => {
      const deny = { name: 'no-forbidden-team', owner: 'sec', effect: 'deny', description: 'team forbidden may not register',
        match: { actions: ['identity.create', 'identity.update'] }, condition: 'has(subject.labels.team) && subject.labels.team == "forbidden"' };
      const put = await call('PUT', '/v1/policies/no-forbidden-team', deny);
      assert.equal(put.statusCode, 201, put.body);
      assert.equal(put.json().source, 'the store');
      const refused = await call('POST', '/v1/identities', identity('prod/x', { labels: { team: 'forbidden' } }));
      assert.equal(refused.statusCode, 403, refused.body);
      assert.equal(refused.json().code, 'ERR_DENIED');
      assert.match(refused.json().detail ?? refused.body, /no-forbidden-team/);
      const ev = await t.store.audit.last();
      assert.deepEqual([ev?.action, ev?.outcome, ev?.target], ['identity.create', 'denied', `${TD}/prod/x`]);
      assert.equal((await t.store.identities.getBySpiffeId(`${TD}/prod/x`)), undefined, 'nothing registered');
      // Other labels pass; updating to the forbidden label is refused too.
      const ok = await call('POST', '/v1/identities', identity('prod/y', { labels: { team: 'fine' } }));
      assert.equal(ok.statusCode, 201, ok.body);
      const patched = await t.app.inject({ method: 'PATCH', url: `/v1/identities/${ok.json().id}`, headers: admin, payload: { labels: { team: 'forbidden' } } });
      assert.equal(patched.statusCode, 403, patched.body);
      // Deleting the policy lifts it.
      assert.equal((await call('DELETE', '/v1/policies/no-forbidden-team')).statusCode, 204);
      assert.equal((await call('POST', '/v1/identities', identity('prod/x', { labels: { team: 'forbidden' } }))).statusCode, 201);
    });

    test('bad documents are refused before anything is stored: CEL error, unknown field, missing owner, name clash', async () => {
      const before = (await t.store.policies.list()).length;
      const cases: [unknown, number, RegExp][] = [
        [{ name: 'bad-cel', owner: 'o', effect: 'deny', condition: 'subject.tier ==' }, 400, /bad-cel/],
        [{ name: 'bad-field', owner: 'o', effect: 'deny', condition: 'true', colour: 'red' }, 400, /colour/],
        [{ name: 'no-owner', effect: 'deny', condition: 'true' }, 400, /owner/],
        [{ name: 'deny-wildcard-audience', owner: 'o', effect: 'allow', condition: 'true' }, 409, /defined twice/],
      ];
      for (const [body, status, message] of cases) {
        const r = await call('POST', '/v1/policies', body);
        assert.equal(r.statusCode, status, r.body);
        assert.match(r.body, message);
      }
      assert.equal((await t.store.policies.list()).length, before);
      const ev = await t.store.audit.last();
      assert.deepEqual([ev?.action, ev?.outcome], ['policy.apply', 'denied']);
      assert.equal((await call('DELETE', '/v1/policies/guardrail-owner-required')).statusCode, 409, 'built-ins are not deletable');
      assert.equal((await call('DELETE', '/v1/policies/nope')).statusCode, 404);
      assert.equal((await call('GET', '/v1/policies/nope')).statusCode, 404);
    });

    test('explain: the decision and every policy considered, for auditors too', async () => {
      assert.equal((await call('POST', '/v1/identities', identity('prod/explained'))).statusCode, 201);
      const auditor = { authorization: `Bearer ${await t.tokenFor(['auditor'])}` };
      const r = await call('POST', '/v1/policies/explain', { action: 'token.exchange', subject: `${TD}/prod/explained`, audience: '*' }, auditor);
      assert.equal(r.statusCode, 200, r.body);
      const e = r.json();
      assert.equal(e.allow, false);
      assert.deepEqual(e.policies, ['deny-wildcard-audience']);
      const byName = new Map((e.trace as { policy: string; outcome: string }[]).map((x) => [x.policy, x.outcome]));
      assert.equal(byName.get('exchange-enabled-identity'), 'condition-true');
      assert.equal(byName.get('guardrail-owner-required'), 'not-applicable');
      const workload = { authorization: `Bearer ${await t.tokenFor(['workload'])}` };
      assert.equal((await call('POST', '/v1/policies/explain', { action: 'token.exchange', subject: `${TD}/prod/explained` }, workload)).statusCode, 403);
      assert.equal((await call('POST', '/v1/policies', { name: 'x', owner: 'o', effect: 'deny', condition: 'true' }, auditor)).statusCode, 403);
      assert.equal((await call('POST', '/v1/policies/explain', { action: 'token.exchange', subject: `${TD}/prod/missing` })).statusCode, 404);
    });
  });
}
