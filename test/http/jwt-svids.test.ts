import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJws } from '../../src/ca/index.ts';
import { STORE_KINDS } from '../helpers/test-store.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

const ID = 'spiffe://tessera.local/ns/prod/sa/payments';

for (const kind of STORE_KINDS) {
  describe(`POST /v1/jwt-svids on ${kind}`, () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer({ store: kind });
      const headers = await t.adminHeaders();
      for (const [spiffeId, disabled] of [[ID, false], ['spiffe://tessera.local/ns/prod/sa/retired', true]] as const) {
        const res = await t.app.inject({ method: 'POST', url: '/v1/identities', headers, payload: { spiffeId, owner: 'team-a', environment: 'prod', tier: 1, ttl: '15m' } });
        assert.equal(res.statusCode, 201);
        if (disabled) assert.equal((await t.app.inject({ method: 'POST', url: `/v1/identities/${res.json().id}/disable`, headers })).statusCode, 200);
      }
    });
    after(async () => { await t.close(); });

    const post = async (payload: unknown, headers?: Record<string, string>) => t.app.inject({
      method: 'POST', url: '/v1/jwt-svids', headers: { ...(headers ?? await t.adminHeaders()), 'x-request-id': 'req-mint' }, payload: payload as Record<string, unknown>,
    });
    const audit = async (outcome: string) => (await t.store.audit.list({ action: 'svid.jwt.mint', outcome, limit: 100 }));

    test('200 with the token, its SPIFFE ID, audience, jti and expiry; not cacheable; audited with the request id', async () => {
      const res = await post({ identity: ID, audience: ['orders'], ttl: '5m' });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.headers['cache-control'], 'no-store');
      const body = res.json();
      assert.deepEqual(Object.keys(body).sort(), ['audience', 'expiresAt', 'issuedAt', 'jti', 'spiffeId', 'token', 'ttl']);
      assert.equal(body.spiffeId, ID);
      assert.deepEqual(body.audience, ['orders']);
      assert.equal(body.ttl, 300);
      assert.equal(Date.parse(body.expiresAt) - Date.parse(body.issuedAt), 300_000);
      const d = decodeJws(body.token);
      assert.ok(d.ok);
      assert.equal(d.jws.payload!.jti, body.jti);
      assert.equal(d.jws.payload!.iss, t.services.issuer);
      const event = (await audit('success')).find((e) => JSON.parse(e.details).jti === body.jti)!;
      assert.equal(event.actor, 'admin');
      assert.equal(event.requestId, 'req-mint');
      assert.equal(event.target, ID);
    });

    test('refusals name the field and change nothing but the audit trail', async () => {
      const cases: [unknown, number, string, string][] = [
        [{ identity: ID, audience: 'a', ttl: '2h' }, 400, 'ERR_TTL_ABOVE_TIER_MAX', 'ttl'],
        [{ identity: 'spiffe://tessera.local/ns/prod/sa/nobody', audience: 'a' }, 404, 'ERR_NOT_FOUND', 'identity'],
        [{ identity: 'spiffe://tessera.local/ns/prod/sa/retired', audience: 'a' }, 409, 'ERR_IDENTITY_DISABLED', 'identity'],
        [{ identity: ID }, 400, 'ERR_INVALID_INPUT', 'audience'],
        [{ identity: ID, audience: ['*'] }, 400, 'ERR_INVALID_INPUT', 'audience'],
        [{ identity: ID, audience: 'a', ttl: 'forever' }, 400, 'ERR_INVALID_DURATION', 'ttl'],
      ];
      for (const [payload, status, code, field] of cases) {
        const minted = (await audit('success')).length;
        const denied = (await audit('denied')).length;
        const res = await post(payload);
        assert.equal(res.statusCode, status, res.body);
        assert.equal(res.json().code, code);
        assert.equal(res.json().field, field);
        assert.equal((await audit('success')).length, minted);
        assert.equal((await audit('denied')).length, denied + 1, `${code} is audited`);
      }
      // Malformed bodies are refused by the schema (field named) before the operation runs.
      for (const [payload, field] of [[{ identity: ID, audience: 'a', extra: 1 }, 'extra'], [{ identity: ID, audience: 5 }, 'audience'], [{ identity: ID, audience: 'a', ttl: true }, 'ttl']] as const) {
        const res = await post(payload);
        assert.equal(res.statusCode, 400);
        assert.equal(res.json().code, 'ERR_INVALID_INPUT');
        assert.equal(res.json().field, field);
      }
    });

    test('only admins mint: an auditor or a workload token is 403', async () => {
      for (const role of ['auditor', 'workload'] as const) {
        const res = await post({ identity: ID, audience: 'a' }, { authorization: `Bearer ${await t.tokenFor([role])}` });
        assert.equal(res.statusCode, 403);
      }
    });
  });
}
