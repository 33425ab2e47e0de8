import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createHmac, createPrivateKey, generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import * as jose from 'jose';
import { createPrincipal, disablePrincipal, JWT_BEARER_GRANT } from '../../src/access/index.ts';
import { b64u } from '../../src/ca/index.ts';
import type { RequestContext } from '../../src/shared/context.ts';
import { STORE_KINDS } from '../helpers/test-store.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

const ADMIN_CTX: RequestContext = { actor: { id: 'admin', roles: ['admin'] } };

for (const kind of STORE_KINDS) {
  describe(`POST /oauth2/token (jwt-bearer) on ${kind}`, () => {
    let t: TestServer;
    let adminKey: KeyObject;
    let endpoint: string;
    let issuer: string;
    const bot = generateKeyPairSync('ed25519');
    const now = () => Math.floor(Date.now() / 1000);

    before(async () => {
      t = await startTestServer({ store: kind });
      adminKey = createPrivateKey(readFileSync(t.services.access.adminKeyPath, 'utf8'));
      endpoint = t.services.access.tokenEndpoint;
      issuer = t.services.issuer;
      await createPrincipal({ store: t.store, clock: t.services.clock }, ADMIN_CTX,
        { id: 'ci-bot', roles: ['workload', 'auditor'], publicJwk: bot.publicKey.export({ format: 'jwk' }) });
    });
    after(async () => { await t.close(); });

    const claims = (over: Record<string, unknown> = {}) => ({ iss: 'admin', sub: 'admin', aud: endpoint, iat: now(), exp: now() + 60, jti: randomUUID(), ...over });
    function assertion(over: Record<string, unknown> = {}, header: Record<string, unknown> = { alg: 'ES256' }, key: KeyObject = adminKey): string {
      const input = `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(claims(over)))}`;
      const sig = key.asymmetricKeyType === 'ed25519' ? sign(null, Buffer.from(input), key) : sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
      return `${input}.${b64u(sig)}`;
    }
    const post = (form: Record<string, string>, contentType = 'application/x-www-form-urlencoded') => t.app.inject({
      method: 'POST', url: '/oauth2/token', headers: { 'content-type': contentType },
      payload: contentType.includes('json') ? JSON.stringify(form) : new URLSearchParams(form).toString(),
    });
    const grant = (a: string, extra: Record<string, string> = {}) => post({ grant_type: JWT_BEARER_GRANT, assertion: a, ...extra });

    async function denied(a: string, description: RegExp, error = 'invalid_grant') {
      const issued = (await t.store.audit.list({ action: 'token.issue', limit: 1000 })).length;
      const res = await grant(a);
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.headers['cache-control'], 'no-store');
      const body = res.json();
      assert.deepEqual(Object.keys(body).sort(), ['error', 'error_description']);
      assert.equal(body.error, error);
      assert.match(body.error_description, description);
      const last = await t.store.audit.last();
      assert.deepEqual([last!.action, last!.outcome], ['token.denied', 'denied']);
      assert.ok(typeof JSON.parse(last!.details).reason === 'string');
      assert.equal((await t.store.audit.list({ action: 'token.issue', limit: 1000 })).length, issued, 'no token was issued');
      return last!;
    }

    test('an assertion signed by jose with admin.key is exchanged for an RFC 9068 access token that works', async () => {
      const a = await new jose.SignJWT({}).setProtectedHeader({ alg: 'ES256' }).setIssuer('admin').setSubject('admin')
        .setAudience(endpoint).setIssuedAt().setExpirationTime('60s').setJti(randomUUID()).sign(adminKey);
      const res = await grant(a);
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.headers['cache-control'], 'no-store');
      assert.match(String(res.headers['content-type']), /application\/json/);
      const body = res.json();
      assert.deepEqual(Object.keys(body).sort(), ['access_token', 'expires_in', 'scope', 'token_type']);
      assert.equal(body.token_type, 'Bearer');
      assert.equal(body.expires_in, t.services.config.adminTokenTtl);
      assert.equal(body.scope, 'admin');
      const { payload, protectedHeader } = await jose.jwtVerify(body.access_token, jose.createLocalJWKSet(t.services.access.publicJwks() as jose.JSONWebKeySet),
        { issuer, audience: issuer, typ: 'at+jwt', algorithms: ['ES256'] });
      assert.equal(protectedHeader.kid, t.services.access.publicJwks().keys[0]!.kid);
      assert.deepEqual([payload.sub, payload.client_id, payload.roles, payload.exp! - payload.iat!], ['admin', 'admin', ['admin'], body.expires_in]);
      const list = await t.app.inject({ method: 'GET', url: '/v1/principals', headers: { authorization: `Bearer ${body.access_token}` } });
      assert.equal(list.statusCode, 200);
      const ev = await t.store.audit.last();
      assert.deepEqual([ev!.action, ev!.outcome, ev!.actor, ev!.target], ['token.issue', 'success', 'admin', 'admin']);
      assert.equal(JSON.parse(ev!.details).jti, payload.jti);
    });

    test('aud may be the issuer itself or an array containing the token endpoint', async () => {
      assert.equal((await grant(assertion({ aud: issuer }))).statusCode, 200);
      assert.equal((await grant(assertion({ aud: ['https://other.example', endpoint] }))).statusCode, 200);
    });

    test('an Ed25519 principal signs with EdDSA; scope narrows its roles; a scope it does not hold is invalid_scope', async () => {
      const a = (over = {}) => assertion({ iss: 'ci-bot', sub: 'ci-bot', ...over }, { alg: 'EdDSA' }, bot.privateKey);
      const full = await grant(a());
      assert.equal(full.statusCode, 200, full.body);
      assert.equal(full.json().scope, 'workload auditor');
      const narrow = await grant(a(), { scope: 'auditor' });
      assert.equal(narrow.json().scope, 'auditor');
      assert.deepEqual(await t.services.access.authenticate(`Bearer ${narrow.json().access_token}`), { id: 'ci-bot', roles: ['auditor'] });
      const res = await grant(a(), { scope: 'admin' });
      assert.equal(res.statusCode, 400);
      assert.equal(res.json().error, 'invalid_scope');
      assert.deepEqual([(await t.store.audit.last())!.action], ['token.denied']);
    });

    test('wrong key: signed by a key other than the principal\'s', async () => {
      await denied(assertion({}, { alg: 'ES256' }, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey), /signature does not verify/);
    });

    test('wrong aud', async () => {
      await denied(assertion({ aud: 'https://tessera.example/oauth2/token' }), /aud must contain/);
      await denied(assertion({ aud: undefined }), /aud must contain/);
    });

    test('expired, exp missing, exp too far ahead, iat in the future, lifetime above 5 minutes, nbf in the future', async () => {
      await denied(assertion({ iat: now() - 120, exp: now() - 60 }), /expired/);
      await denied(assertion({ exp: undefined }), /no exp/);
      await denied(assertion({ iat: undefined, exp: now() + 600 }), /more than 5 minutes away/);
      await denied(assertion({ iat: now() + 120, exp: now() + 180 }), /iat is in the future/);
      await denied(assertion({ iat: now() - 100, exp: now() + 250 }), /more than 5 minutes after iat/);
      await denied(assertion({ nbf: now() + 120 }), /nbf/);
    });

    test('jti: required, and single use (a replay is invalid_grant)', async () => {
      await denied(assertion({ jti: undefined }), /jti/);
      await denied(assertion({ jti: '' }), /jti/);
      const a = assertion();
      assert.equal((await grant(a)).statusCode, 200);
      const ev = await denied(a, /already used/);
      assert.equal(JSON.parse(ev.details).code, 'ERR_REPLAYED');
    });

    test('the same assertion sent many times at once yields exactly one token', async () => {
      const a = assertion();
      const codes = (await Promise.all(Array.from({ length: 8 }, () => grant(a)))).map((r) => r.statusCode);
      assert.deepEqual(codes.sort(), [200, 400, 400, 400, 400, 400, 400, 400]);
    });

    test('alg none, HS256 keyed with the public key (key confusion), and an alg that does not fit the key', async () => {
      const c = b64u(JSON.stringify(claims()));
      await denied(`${b64u(JSON.stringify({ alg: 'none' }))}.${c}.`, /malformed|alg/);
      await denied(`${b64u(JSON.stringify({ alg: 'none' }))}.${c}.${b64u('x')}`, /alg "none"/);
      const pub = t.store.principals.get('admin').then((p) => p!.publicJwk);
      const h = b64u(JSON.stringify({ alg: 'HS256' }));
      const { createPublicKey } = await import('node:crypto');
      const key = createPublicKey({ key: await pub, format: 'jwk' });
      for (const secret of [key.export({ format: 'der', type: 'spki' }), Buffer.from(key.export({ format: 'pem', type: 'spki' }) as string), Buffer.from(JSON.stringify(await pub))]) {
        await denied(`${h}.${c}.${b64u(createHmac('sha256', secret).update(`${h}.${c}`).digest())}`, /alg "HS256" is not the key's algorithm ES256/);
      }
      await denied(assertion({}, { alg: 'EdDSA' }), /alg "EdDSA"/);
      await denied(assertion({}, { alg: 'ES384' }), /alg "ES384"/);
      await denied(assertion({ iss: 'ci-bot', sub: 'ci-bot' }, { alg: 'ES256' }, bot.privateKey), /alg "ES256" is not the key's algorithm EdDSA/);
    });

    test('unknown and disabled principals get the same answer; the audit log has the precise reason', async () => {
      const unknown = await denied(assertion({ iss: 'nobody', sub: 'nobody' }), /not a registered, enabled principal/);
      assert.match(JSON.parse(unknown.details).reason, /unknown principal nobody/);
      const key = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const deps = { store: t.store, clock: t.services.clock };
      await createPrincipal(deps, ADMIN_CTX, { id: 'temp', roles: ['auditor'], publicJwk: key.publicKey.export({ format: 'jwk' }) });
      const a = (over = {}) => assertion({ iss: 'temp', sub: 'temp', ...over }, { alg: 'ES256' }, key.privateKey);
      const ok = await grant(a());
      assert.equal(ok.statusCode, 200);
      await disablePrincipal(deps, ADMIN_CTX, 'temp');
      const dis = await denied(a(), /not a registered, enabled principal/);
      assert.match(JSON.parse(dis.details).reason, /disabled/);
      assert.equal(dis.target, 'temp');
      // Its token from before is dead too.
      await assert.rejects(t.services.access.authenticate(`Bearer ${ok.json().access_token}`), /disabled/);
    });

    test('sub must equal iss; malformed or missing assertions', async () => {
      await denied(assertion({ sub: 'ci-bot' }), /sub must equal iss/);
      await denied(assertion({ iss: undefined }), /no iss/);
      await denied('abc', /malformed/);
      await denied(`${b64u('{"alg":"ES256"}')}.${b64u('"text"')}.${b64u('x')}`, /payload/);
      const res = await post({ grant_type: JWT_BEARER_GRANT });
      assert.equal(res.statusCode, 400);
      assert.equal(res.json().error, 'invalid_request');
      assert.match(res.json().error_description, /assertion/);
    });

    test('grant types: missing is invalid_request, unknown is unsupported_grant_type; unknown parameters are ignored', async () => {
      const missing = await post({ assertion: assertion() });
      assert.deepEqual([missing.statusCode, missing.json().error], [400, 'invalid_request']);
      assert.match(missing.json().error_description, /grant_type/);
      for (const g of ['password', 'client_credentials', 'urn:ietf:params:oauth:grant-type:saml2-bearer']) {
        const res = await post({ grant_type: g, assertion: assertion() });
        assert.deepEqual([res.statusCode, res.json().error], [400, 'unsupported_grant_type']);
      }
      const extra = await post({ grant_type: JWT_BEARER_GRANT, assertion: assertion(), client_id: 'whatever', foo: 'bar' });
      assert.equal(extra.statusCode, 200, extra.body);
    });

    test('only form bodies are accepted; repeated parameters are refused', async () => {
      const json = await post({ grant_type: JWT_BEARER_GRANT, assertion: assertion() }, 'application/json');
      assert.deepEqual([json.statusCode, json.json().error], [415, 'invalid_request']);
      const repeated = await t.app.inject({ method: 'POST', url: '/oauth2/token', headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: `grant_type=${encodeURIComponent(JWT_BEARER_GRANT)}&assertion=${assertion()}&assertion=${assertion()}` });
      assert.deepEqual([repeated.statusCode, repeated.json().error], [400, 'invalid_request']);
    });
  });
}
