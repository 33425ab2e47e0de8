import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseStaticKey } from '../../src/identity/static-keys/index.ts';
import { STORE_KINDS } from '../helpers/test-store.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

const LEGACY = 'spiffe://tessera.local/ns/prod/sa/legacy';
const DAY = 86_400_000;
const FORM = 'application/x-www-form-urlencoded';

for (const kind of STORE_KINDS) {
  describe(`static keys over HTTP on ${kind}`, () => {
    let t: TestServer;
    let admin: { authorization: string };
    let auditor: { authorization: string };
    let identityId: string;
    before(async () => {
      t = await startTestServer({ store: kind });
      admin = await t.adminHeaders();
      auditor = { authorization: `Bearer ${await t.tokenFor(['auditor'])}` };
      const res = await t.app.inject({ method: 'POST', url: '/v1/identities', headers: admin, payload: {
        spiffeId: LEGACY, owner: 'team-legacy', environment: 'prod', tier: 1, ttl: '15m',
        staticException: { reason: 'mainframe cannot do OIDC yet', expiresAt: new Date(Date.now() + 60 * DAY).toISOString() },
      } });
      assert.equal(res.statusCode, 201, res.body);
      identityId = res.json().id;
    });
    after(async () => { await t.close(); });

    const keysUrl = (ref: string) => `/v1/identities/${encodeURIComponent(ref)}/keys`;
    const introspect = async (token: string) => (await t.app.inject({
      method: 'POST', url: '/oauth2/introspect', headers: { ...auditor, 'content-type': FORM }, payload: new URLSearchParams({ token }).toString(),
    })).json();

    test('create returns the key once (no-store); the store holds only its hash; list shows last 4; introspection works', async () => {
      const res = await t.app.inject({ method: 'POST', url: keysUrl(LEGACY), headers: admin, payload: { expires: '30d' } });
      assert.equal(res.statusCode, 201, res.body);
      assert.equal(res.headers['cache-control'], 'no-store');
      const body = res.json();
      assert.ok(parseStaticKey(body.key).ok);
      assert.deepEqual([body.spiffeId, body.owner, body.status, body.last4, body.createdBy, body.revokedAt], [LEGACY, 'team-legacy', 'active', body.key.slice(-4), 'admin', null]);
      assert.ok(Math.abs(Date.parse(body.expiresAt) - (Date.now() + 30 * DAY)) < 60_000);

      const list = await t.app.inject({ method: 'GET', url: keysUrl(identityId), headers: auditor });
      assert.equal(list.statusCode, 200);
      assert.deepEqual(list.json().items.map((k: { id: string }) => k.id), [body.id]);
      assert.ok(!list.body.includes(body.key.slice(4, 34)), 'the list never contains the key');
      assert.ok(!('hash' in list.json().items[0]));

      // Hash-only storage: the key is nowhere in the database files (or the audit log).
      if (kind === 'sqlite') {
        await t.store.write(async () => {});
        const files = readdirSync(t.dataDir).filter((f) => f.startsWith('tessera.db'));
        assert.ok(files.length > 0);
        for (const f of files) assert.ok(!readFileSync(join(t.dataDir, f)).includes(body.key.slice(4, 34)), `${f} has no copy of the key`);
      } else {
        const rows = await t.store.db.all('SELECT * FROM static_keys');
        assert.ok(!JSON.stringify(rows).includes(body.key.slice(4, 34)));
      }
      const audit = await t.store.audit.list({ limit: 100_000 });
      assert.ok(!JSON.stringify(audit).includes(body.key.slice(4, 34)));

      assert.deepEqual(await introspect(body.key), {
        active: true, token_type: 'static_key', iss: t.services.issuer, sub: LEGACY, client_id: body.id,
        exp: Math.floor(Date.parse(body.expiresAt) / 1000), iat: Math.floor(Date.parse(body.createdAt) / 1000),
      });
    });

    test('revoke by key id: the key is inactive at once; the list shows it revoked', async () => {
      const key = (await t.app.inject({ method: 'POST', url: keysUrl(LEGACY), headers: admin, payload: { expires: '7d', owner: 'ops' } })).json();
      const r = await t.app.inject({ method: 'POST', url: `/v1/static-keys/${key.id}/revoke`, headers: admin, payload: { reason: 'found in repo' } });
      assert.equal(r.statusCode, 201, r.body);
      assert.deepEqual([r.json().kind, r.json().value, r.json().reason], ['static-key', key.id, 'found in repo']);
      assert.deepEqual(await introspect(key.key), { active: false });
      const listed = (await t.app.inject({ method: 'GET', url: keysUrl(LEGACY), headers: admin })).json().items.find((k: { id: string }) => k.id === key.id);
      assert.equal(listed.status, 'revoked');
      const again = await t.app.inject({ method: 'POST', url: `/v1/static-keys/${key.id}/revoke`, headers: admin });
      assert.equal(again.statusCode, 200, again.body);
      assert.equal(again.json().id, r.json().id);
    });

    test('RFC 7009 revocation of a tsk_ key', async () => {
      const key = (await t.app.inject({ method: 'POST', url: keysUrl(LEGACY), headers: admin, payload: { expires: '1d' } })).json();
      const r = await t.app.inject({ method: 'POST', url: '/oauth2/revoke', headers: { ...admin, 'content-type': FORM }, payload: `token=${key.key}&token_type_hint=static_key` });
      assert.equal(r.statusCode, 200);
      assert.deepEqual(await introspect(key.key), { active: false });
    });

    test('static-key creation goes through the policy engine: a deny policy on static-key.create refuses it (403, audited, nothing stored)', async () => {
      const deny = { name: 'no-long-static-keys', owner: 'sec', effect: 'deny', description: 'static keys live at most 7 days here',
        match: { actions: ['static-key.create'] }, condition: `resource.expiresAt > ${Date.now() + 7 * DAY}` };
      const put = await t.app.inject({ method: 'PUT', url: '/v1/policies/no-long-static-keys', headers: admin, payload: deny });
      assert.equal(put.statusCode, 201, put.body);
      try {
        const before = (await t.app.inject({ method: 'GET', url: keysUrl(LEGACY), headers: admin })).json().items.length;
        const refused = await t.app.inject({ method: 'POST', url: keysUrl(LEGACY), headers: admin, payload: { expires: '20d' } });
        assert.equal(refused.statusCode, 403, refused.body);
        assert.equal(refused.json().code, 'ERR_DENIED');
        assert.match(refused.json().detail, /no-long-static-keys/);
        const ev = await t.store.audit.last();
        assert.deepEqual([ev?.action, ev?.outcome], ['static-key.create', 'denied']);
        assert.equal((await t.app.inject({ method: 'GET', url: keysUrl(LEGACY), headers: admin })).json().items.length, before);
        const allowed = await t.app.inject({ method: 'POST', url: keysUrl(LEGACY), headers: admin, payload: { expires: '5d' } });
        assert.equal(allowed.statusCode, 201, allowed.body);
      } finally {
        await t.app.inject({ method: 'DELETE', url: '/v1/policies/no-long-static-keys', headers: admin });
      }
    });

    test('bad inputs: clear code and field, nothing stored, audited', async () => {
      const count = async () => (await t.store.db.all('SELECT id FROM static_keys')).length;
      const n = await count();
      const cases: [string, unknown, number, string, string][] = [
        [LEGACY, {}, 400, 'ERR_EXCEPTION_EXPIRY_REQUIRED', 'expires'],
        [LEGACY, { expires: '2001-01-01T00:00:00Z' }, 400, 'ERR_EXCEPTION_EXPIRY_REQUIRED', 'expires'],
        [LEGACY, { expires: '31d' }, 400, 'ERR_TTL_ABOVE_TIER_MAX', 'expires'],
        [LEGACY, { expires: '61d' }, 400, 'ERR_TTL_ABOVE_TIER_MAX', 'expires'],
        [LEGACY, { expires: 'whenever' }, 400, 'ERR_INVALID_INPUT', 'expires'],
        [LEGACY, { expires: 30 }, 400, 'ERR_INVALID_INPUT', 'expires'],
        [LEGACY, { expires: '1d', owner: ' ' }, 400, 'ERR_OWNER_REQUIRED', 'owner'],
        [LEGACY, { expires: '1d', key: 'mine' }, 400, 'ERR_INVALID_INPUT', 'key'],
        ['spiffe://tessera.local/nobody', { expires: '1d' }, 404, 'ERR_NOT_FOUND', 'identity'],
      ];
      for (const [ref, payload, status, code, field] of cases) {
        const res = await t.app.inject({ method: 'POST', url: keysUrl(ref), headers: admin, payload: payload as object });
        assert.equal(res.statusCode, status, `${JSON.stringify(payload)}: ${res.body}`);
        assert.deepEqual([res.json().code, res.json().field], [code, field], JSON.stringify(payload));
        const ev = await t.store.audit.last();
        assert.deepEqual([ev!.action, ev!.outcome], ['static-key.create', 'denied'], JSON.stringify(payload));
      }
      // A tier 2 identity with no exception at all may have keys; tier 1 without one may not.
      const t1 = await t.app.inject({ method: 'POST', url: '/v1/identities', headers: admin,
        payload: { spiffeId: 'spiffe://tessera.local/ns/prod/sa/t1', owner: 'o', environment: 'prod', tier: 1, ttl: '15m' } });
      const refused = await t.app.inject({ method: 'POST', url: keysUrl(t1.json().id), headers: admin, payload: { expires: '1d' } });
      assert.equal(refused.json().code, 'ERR_STATIC_EXCEPTION_REQUIRED');
      assert.equal(await count(), n);
      const unknownKey = await t.app.inject({ method: 'POST', url: '/v1/static-keys/nope/revoke', headers: admin, payload: {} });
      assert.equal(unknownKey.statusCode, 404);
      assert.equal(unknownKey.json().field, 'staticKeyId');
    });
  });
}
