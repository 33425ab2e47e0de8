import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync, randomUUID } from 'node:crypto';
import { b64u, signerFor } from '../../src/ca/index.ts';
import { createCsr } from '../../src/ca/x509/index.ts';
import { STORE_KINDS } from '../helpers/test-store.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

const API = 'spiffe://tessera.local/ns/prod/sa/api';
const OTHER = 'spiffe://tessera.local/ns/prod/sa/other';
const now = () => Math.floor(Date.now() / 1000);
const form = (o: Record<string, string>) => new URLSearchParams(o).toString();
const FORM = 'application/x-www-form-urlencoded';

for (const kind of STORE_KINDS) {
  describe(`revocation over HTTP on ${kind}`, () => {
    let t: TestServer;
    let admin: { authorization: string };
    let auditor: { authorization: string };
    let workload: { authorization: string };
    before(async () => {
      t = await startTestServer({ store: kind });
      admin = await t.adminHeaders();
      auditor = { authorization: `Bearer ${await t.tokenFor(['auditor'])}` };
      workload = { authorization: `Bearer ${await t.tokenFor(['workload'], API)}` };
      for (const spiffeId of [API, OTHER]) {
        const res = await t.app.inject({ method: 'POST', url: '/v1/identities', headers: admin,
          payload: { spiffeId, owner: 'team-api', environment: 'prod', tier: 2, ttl: '1h' } });
        assert.equal(res.statusCode, 201, res.body);
      }
    });
    after(async () => { await t.close(); });

    /** A JWT-SVID signed by the server's current JWT key. */
    const svid = (over: Record<string, unknown> = {}) => signerFor(t.services.ca.jwtSigner())
      .sign({ iss: t.services.issuer, sub: API, aud: ['orders'], iat: now(), exp: now() + 300, jti: randomUUID(), ...over }, 'JWT');
    const introspect = (token: string, headers: Record<string, string> = auditor) => t.app.inject({
      method: 'POST', url: '/oauth2/introspect', headers: { ...headers, 'content-type': FORM }, payload: form({ token }),
    });
    const revoke = (token: string, headers: Record<string, string> = admin, extra: Record<string, string> = {}) => t.app.inject({
      method: 'POST', url: '/oauth2/revoke', headers: { ...headers, 'content-type': FORM }, payload: form({ token, ...extra }),
    });

    test('a revoked JWT-SVID introspects {"active": false} immediately after the RFC 7009 answer', async () => {
      const token = svid();
      const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
      const live = await introspect(token);
      assert.equal(live.statusCode, 200, live.body);
      assert.equal(live.headers['cache-control'], 'no-store');
      assert.deepEqual(live.json(), { active: true, token_type: 'jwt_svid', iss: t.services.issuer, sub: API, aud: ['orders'], exp: claims.exp, iat: claims.iat, jti: claims.jti });

      const r = await revoke(token, admin, { token_type_hint: 'access_token' });
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(r.body, '');
      const dead = await introspect(token);
      assert.equal(dead.statusCode, 200);
      assert.deepEqual(dead.json(), { active: false });
      const rec = await t.store.revocations.findActive('jti', claims.jti, Date.now());
      assert.equal(rec?.expiresAt, claims.exp * 1000, 'kept until the token itself expires');
      const ev = (await t.store.audit.list({ action: 'revocation.create', limit: 1, newestFirst: true }))[0]!;
      assert.deepEqual([ev.outcome, ev.target, JSON.parse(ev.details).via], ['success', API, 'oauth2.revoke']);
      // Revoking again is harmless and writes no second revocation.
      assert.equal((await revoke(token)).statusCode, 200);
      assert.equal((await t.store.revocations.listSince(0, Date.now(), 1000)).filter((x) => x.value === claims.jti).length, 1);
    });

    test('RFC 7009 §2.2: unknown, invalid, foreign and expired tokens get 200 with an empty body and change nothing', async () => {
      const before = (await t.store.revocations.listSince(0, Date.now(), 1000)).length;
      for (const token of ['garbage', svid({ iss: 'https://elsewhere.test' }), svid({ iat: now() - 900, exp: now() - 600 }),
        'tsk_Zq3vW8mK2pXr7TnB4cYd9HfL1sGj6A23ra4R', 'tsk_broken']) {
        const r = await revoke(token);
        assert.equal(r.statusCode, 200, token);
        assert.equal(r.body, '');
      }
      assert.equal((await t.store.revocations.listSince(0, Date.now(), 1000)).length, before);
      const ev = (await t.store.audit.list({ action: 'revocation.create', limit: 1, newestFirst: true }))[0]!;
      assert.deepEqual([ev.outcome, JSON.parse(ev.details).via], ['denied', 'oauth2.revoke']);
    });

    test('a workload may revoke its own token but not another subject\'s (403, nothing revoked)', async () => {
      const mine = svid();
      assert.equal((await revoke(mine, workload)).statusCode, 200);
      assert.deepEqual((await introspect(mine)).json(), { active: false });
      const theirs = svid({ sub: OTHER });
      const r = await revoke(theirs, workload);
      assert.equal(r.statusCode, 403, r.body);
      assert.equal(r.json().error, 'unauthorized_client');
      assert.equal((await introspect(theirs)).json().active, true);
      const ev = (await t.store.audit.list({ action: 'revocation.create', limit: 1, newestFirst: true }))[0]!;
      assert.deepEqual([ev.outcome, ev.actor, JSON.parse(ev.details).code], ['denied', API, 'ERR_FORBIDDEN']);
    });

    test('introspection negatives are all {"active": false}, never an error body, each audited', async () => {
      const { kid } = t.services.ca.jwtSigner();
      const claims = { iss: t.services.issuer, sub: API, aud: 'orders', iat: now(), exp: now() + 300, jti: randomUUID() };
      const hsInput = `${b64u(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid }))}.${b64u(JSON.stringify(claims))}`;
      const pub = t.services.ca.jwtKeys().find((k) => k.kid === kid)!.publicKey.export({ format: 'pem', type: 'spki' });
      const good = svid();
      const [h, p, s] = good.split('.');
      const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
      const revoked = svid();
      await revoke(revoked);
      const cases: Record<string, string> = {
        'other issuer': svid({ iss: 'https://evil.test' }),
        expired: svid({ iat: now() - 900, exp: now() - 1 }),
        revoked,
        'alg none': `${b64u(JSON.stringify({ alg: 'none', typ: 'JWT', kid }))}.${b64u(JSON.stringify(claims))}.`,
        'HS256 keyed with our public key': `${hsInput}.${createHmac('sha256', pub).update(hsInput).digest('base64url')}`,
        'unknown kid': signerFor({ kid: 'not-ours', alg: 'ES256', privateKey: other }).sign(claims, 'JWT'),
        'tampered': `${h}.${b64u(JSON.stringify({ ...claims, sub: 'spiffe://tessera.local/admin' }))}.${s}`,
        'our kid, foreign key': `${h}.${p}.${signerFor({ kid, alg: 'ES256', privateKey: other }).sign(claims, 'JWT').split('.')[2]}`,
        malformed: 'a.b',
        'unknown static key': 'tsk_Zq3vW8mK2pXr7TnB4cYd9HfL1sGj6A23ra4R',
      };
      for (const [what, token] of Object.entries(cases)) {
        const head = (await t.store.audit.head()).seq;
        const res = await introspect(token);
        assert.equal(res.statusCode, 200, `${what}: ${res.body}`);
        assert.deepEqual(res.json(), { active: false }, what);
        assert.equal(res.headers['cache-control'], 'no-store');
        const ev = await t.store.audit.last();
        assert.equal(ev!.seq, head + 1, `${what}: one audit event`);
        assert.deepEqual([ev!.action, ev!.outcome], ['token.introspect', 'denied']);
        assert.ok(!ev!.details.includes(token.slice(-20)), `${what}: the token is not in the audit log`);
      }
    });

    test('introspection and revocation need a caller: 401 without or with a bad token, 403 with another role, 400 without token', async () => {
      const token = svid();
      for (const url of ['/oauth2/introspect', '/oauth2/revoke']) {
        for (const authorization of [undefined, 'Bearer nope', `Bearer ${token}`]) {
          const res = await t.app.inject({ method: 'POST', url, headers: { 'content-type': FORM, ...(authorization ? { authorization } : {}) }, payload: form({ token }) });
          assert.equal(res.statusCode, 401, `${url} ${authorization}: ${res.body}`);
          assert.equal(res.json().error, 'invalid_client');
          assert.match(String(res.headers['www-authenticate']), /^Bearer/);
        }
        const approver = { authorization: `Bearer ${await t.tokenFor(['approver'])}` };
        const res = await t.app.inject({ method: 'POST', url, headers: { ...approver, 'content-type': FORM }, payload: form({ token }) });
        assert.equal(res.statusCode, 403);
        const missing = await t.app.inject({ method: 'POST', url, headers: { ...admin, 'content-type': FORM }, payload: form({ nottoken: 'x' }) });
        assert.equal(missing.statusCode, 400);
        assert.equal(missing.json().error, 'invalid_request');
        const json = await t.app.inject({ method: 'POST', url, headers: { ...admin, 'content-type': 'application/json' }, payload: JSON.stringify({ token }) });
        assert.equal(json.statusCode, 415);
      }
      assert.equal((await introspect(token)).json().active, true, 'nothing was revoked');
    });

    test('a revoked access token introspects inactive and no longer opens the API', async () => {
      const at = await t.tokenFor(['auditor'], 'auditor-2');
      const headers = { authorization: `Bearer ${at}` };
      assert.equal((await t.app.inject({ method: 'GET', url: '/v1/revocations', headers })).statusCode, 200);
      const live = await introspect(at);
      assert.equal(live.json().token_type, 'access_token');
      assert.equal(live.json().client_id, 'auditor-2');
      assert.equal(live.json().scope, 'auditor');
      const r = await t.app.inject({ method: 'POST', url: '/v1/revocations', headers: admin, payload: { token: at, reason: 'laptop stolen' } });
      assert.equal(r.statusCode, 201, r.body);
      assert.deepEqual((await introspect(at)).json(), { active: false });
      const denied = await t.app.inject({ method: 'GET', url: '/v1/revocations', headers });
      assert.equal(denied.statusCode, 401);
      assert.match(denied.json().detail, /revoked/);
    });

    test('POST /v1/revocations {identity}: disables it, stops new issuance at once, revokes what it holds', async () => {
      const spiffeId = 'spiffe://tessera.local/ns/prod/sa/worker';
      const created = await t.app.inject({ method: 'POST', url: '/v1/identities', headers: admin,
        payload: { spiffeId, owner: 'team-w', environment: 'prod', tier: 2, ttl: '1h' } });
      const id = created.json().id;
      const csr = () => {
        const der = createCsr({ privateKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey });
        return `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE REQUEST-----\n`;
      };
      const issue = () => t.app.inject({ method: 'POST', url: '/v1/x509-svids', headers: admin, payload: { identity: spiffeId, csr: csr() } });
      assert.equal((await issue()).statusCode, 200, 'issuance works before');
      const held = svid({ sub: spiffeId });
      const detectedAt = new Date(Date.now() - 120_000).toISOString();
      const r = await t.app.inject({ method: 'POST', url: '/v1/revocations', headers: admin, payload: { identity: spiffeId, reason: 'node compromised', detectedAt } });
      assert.equal(r.statusCode, 201, r.body);
      const body = r.json();
      assert.deepEqual([body.kind, body.value, body.reason, body.detectedAt, body.revokedBy], ['identity', spiffeId, 'node compromised', detectedAt, 'admin']);
      assert.equal(Date.parse(body.expiresAt) - Date.parse(body.revokedAt), t.services.config.svidMaxTtl * 1000);
      assert.ok((await t.store.identities.get(id))!.disabledAt !== null);
      const refused = await issue();
      assert.equal(refused.statusCode, 409, refused.body);
      assert.equal(refused.json().code, 'ERR_IDENTITY_DISABLED');
      assert.deepEqual((await introspect(held)).json(), { active: false });
    });

    test('end to end with minted JWT-SVIDs: active, then the identity is revoked, minting stops, the SVID is inactive', async () => {
      const spiffeId = 'spiffe://tessera.local/ns/prod/sa/minted';
      await t.app.inject({ method: 'POST', url: '/v1/identities', headers: admin, payload: { spiffeId, owner: 'team-m', environment: 'prod', tier: 2, ttl: '1h' } });
      const mint = () => t.app.inject({ method: 'POST', url: '/v1/jwt-svids', headers: admin, payload: { identity: spiffeId, audience: 'orders' } });
      const minted = await mint();
      assert.equal(minted.statusCode, 200, minted.body);
      const { token, jti } = minted.json();
      const live = (await introspect(token)).json();
      assert.deepEqual([live.active, live.sub, live.aud, live.jti, live.token_type], [true, spiffeId, 'orders', jti, 'jwt_svid']);
      const r = await t.app.inject({ method: 'POST', url: '/v1/revocations', headers: admin, payload: { identity: spiffeId } });
      assert.equal(r.statusCode, 201, r.body);
      const refused = await mint();
      assert.equal(refused.statusCode, 409, refused.body);
      assert.equal(refused.json().code, 'ERR_IDENTITY_DISABLED');
      assert.deepEqual((await introspect(token)).json(), { active: false });
    });

    test('POST /v1/revocations refuses bad input with the field named and stores nothing', async () => {
      const before = (await t.store.revocations.listSince(0, Date.now(), 1000)).length;
      const cases: [unknown, number, string, string][] = [
        [{}, 400, 'ERR_INVALID_INPUT', 'jti'],
        [{ jti: 'a', identity: API }, 400, 'ERR_INVALID_INPUT', 'identity'],
        [{ jti: 'a', extra: 1 }, 400, 'ERR_INVALID_INPUT', 'extra'],
        [{ jti: 'a', detectedAt: '2999-01-01T00:00:00Z' }, 400, 'ERR_INVALID_INPUT', 'detectedAt'],
        [{ identity: 'spiffe://tessera.local/nobody' }, 404, 'ERR_NOT_FOUND', 'identity'],
        [{ token: svid({ iat: now() - 900, exp: now() - 1 }) }, 400, 'ERR_INVALID_INPUT', 'token'],
      ];
      for (const [payload, status, code, field] of cases) {
        const res = await t.app.inject({ method: 'POST', url: '/v1/revocations', headers: admin, payload: payload as object });
        assert.equal(res.statusCode, status, res.body);
        assert.deepEqual([res.json().code, res.json().field], [code, field], JSON.stringify(payload));
      }
      assert.equal((await t.store.revocations.listSince(0, Date.now(), 1000)).length, before);
    });

    test('GET /v1/revocations is a feed: cursor, commit order, paging; workloads see what to deny, not who reported it', async () => {
      const all = await t.app.inject({ method: 'GET', url: '/v1/revocations', headers: auditor });
      assert.equal(all.statusCode, 200);
      const cursor = all.json().nextCursor;
      assert.match(cursor, /^\d+$/);
      const nothing = await t.app.inject({ method: 'GET', url: `/v1/revocations?since=${cursor}`, headers: auditor });
      assert.deepEqual(nothing.json(), { items: [], nextCursor: cursor, more: false });

      for (const jti of ['feed-1', 'feed-2', 'feed-3']) {
        await t.app.inject({ method: 'POST', url: '/v1/revocations', headers: admin, payload: { jti, reason: `reason ${jti}` } });
      }
      const p1 = (await t.app.inject({ method: 'GET', url: `/v1/revocations?since=${cursor}&limit=2`, headers: auditor })).json();
      assert.deepEqual(p1.items.map((r: { value: string }) => r.value), ['feed-1', 'feed-2']);
      assert.equal(p1.more, true);
      assert.equal(p1.items[0].reason, 'reason feed-1');
      const p2 = (await t.app.inject({ method: 'GET', url: `/v1/revocations?since=${p1.nextCursor}`, headers: workload })).json();
      assert.deepEqual(p2.items.map((r: { value: string }) => r.value), ['feed-3']);
      assert.equal(p2.more, false);
      assert.deepEqual(Object.keys(p2.items[0]).sort(), ['cursor', 'expiresAt', 'id', 'kind', 'revokedAt', 'value']);
      for (const q of ['since=abc', 'since=-1', 'limit=0', 'limit=1001', 'colour=red']) {
        const bad = await t.app.inject({ method: 'GET', url: `/v1/revocations?${q}`, headers: auditor });
        assert.equal(bad.statusCode, 400, q);
      }
    });
  });
}
