import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as dpop from 'dpop';
import * as jose from 'jose';
import { STORE_KINDS } from '../../helpers/test-store.ts';
import { DEPLOY, NODE, ORDERS, identity, useExchangeEnv, type ExchangeEnv } from './setup.ts';
import { TOKEN_TYPE_ACCESS_TOKEN, TOKEN_TYPE_ID_TOKEN, TOKEN_TYPE_JOIN_TOKEN, TOKEN_TYPE_JWT } from '../../../src/broker/exchange/index.ts';

const decode = (token: string) => jose.decodeJwt(token);

async function svidFor(env: ExchangeEnv, who: string, audience: string | string[], ttl?: string): Promise<string> {
  return (await env.api('POST', '/v1/jwt-svids', { identity: who, audience, ...(ttl ? { ttl } : {}) }, 200)).token as string;
}

for (const kind of STORE_KINDS) {
  describe(`token exchange on ${kind}`, () => {
    const env = useExchangeEnv(kind);

    test('join token → access token; the response has exactly the RFC 8693 fields; a second use is invalid_grant', async () => {
      const jt = await env.joinToken(NODE);
      const first = await env.exchange({ subject_token: jt, subject_token_type: TOKEN_TYPE_JOIN_TOKEN, audience: ORDERS });
      assert.equal(first.status, 200, JSON.stringify(first.body));
      assert.deepEqual(Object.keys(first.body).sort(), ['access_token', 'expires_in', 'issued_token_type', 'token_type']);
      assert.deepEqual({ ...first.body, access_token: '' }, { access_token: '', issued_token_type: TOKEN_TYPE_ACCESS_TOKEN, token_type: 'Bearer', expires_in: 900 });
      assert.equal(first.headers['cache-control'], 'no-store');
      const claims = decode(first.body.access_token as string);
      assert.equal(claims.sub, NODE);
      assert.equal(claims.cnf, undefined);
      const [ok] = await env.exchanges();
      assert.equal(ok!.outcome, 'success');
      assert.equal((ok!.details.source as { kind: string }).kind, 'join-token');
      assert.equal(ok!.actor, NODE);

      const again = await env.exchange({ subject_token: jt, subject_token_type: TOKEN_TYPE_JOIN_TOKEN, audience: ORDERS });
      assert.deepEqual([again.status, again.body.error], [400, 'invalid_grant']);
      assert.match(String(again.body.error_description), /already used/);
      const [denied] = await env.exchanges();
      assert.equal(denied!.outcome, 'denied');
      assert.equal(denied!.target, NODE);
    });

    test('of concurrent redemptions of one join token exactly one gets a token', async () => {
      const jt = await env.joinToken(NODE);
      const results = await Promise.all(Array.from({ length: 8 }, () =>
        env.exchange({ subject_token: jt, subject_token_type: TOKEN_TYPE_JOIN_TOKEN, audience: ORDERS })));
      assert.equal(results.filter((r) => r.status === 200).length, 1);
      assert.ok(results.filter((r) => r.status !== 200).every((r) => r.body.error === 'invalid_grant'));
    });

    test('unknown, malformed and expired join tokens are invalid_grant', async () => {
      for (const token of ['tjt_' + 'A'.repeat(32), 'not-a-token']) {
        const r = await env.exchange({ subject_token: token, subject_token_type: TOKEN_TYPE_JOIN_TOKEN, audience: ORDERS });
        assert.deepEqual([r.status, r.body.error], [400, 'invalid_grant'], token);
      }
    });

    test('a Tessera JWT-SVID meant for this server → a token for the next hop; aud elsewhere is invalid_grant', async () => {
      const mine = await svidFor(env, DEPLOY, env.t.url);
      const r = await env.exchange({ subject_token: mine, subject_token_type: TOKEN_TYPE_JWT, audience: ORDERS, scope: 'orders.read orders.write' });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.scope, 'orders.read orders.write');
      const c = decode(r.body.access_token as string);
      assert.deepEqual([c.sub, c.aud, c.scope, c.client_id], [DEPLOY, ORDERS, 'orders.read orders.write', DEPLOY]);
      // Never longer than the JWT-SVID it came from.
      assert.ok(c.exp! <= decode(mine).exp!);

      const viaEndpoint = await svidFor(env, DEPLOY, `${env.t.url}/oauth2/token`);
      assert.equal((await env.exchange({ subject_token: viaEndpoint, subject_token_type: TOKEN_TYPE_JWT, audience: ORDERS })).status, 200);

      const forOthers = await svidFor(env, DEPLOY, 'https://billing.internal');
      const refused = await env.exchange({ subject_token: forOthers, subject_token_type: TOKEN_TYPE_JWT, audience: ORDERS });
      assert.deepEqual([refused.status, refused.body.error], [400, 'invalid_grant']);
      assert.match(String(refused.body.error_description), /not meant for this server/);
    });

    test('an access token issued by exchange is not a JWT-SVID and cannot be exchanged again', async () => {
      const first = await env.exchange({ subject_token: await svidFor(env, DEPLOY, env.t.url), subject_token_type: TOKEN_TYPE_JWT, audience: env.t.url.replace('127.0.0.1', 'localhost') });
      assert.equal(first.status, 200);
      const again = await env.exchange({ subject_token: first.body.access_token as string, subject_token_type: TOKEN_TYPE_JWT, audience: ORDERS });
      assert.deepEqual([again.status, again.body.error], [400, 'invalid_grant']);
    });

    test('a revoked JWT-SVID is invalid_grant', async () => {
      const svid = await svidFor(env, DEPLOY, env.t.url);
      await env.api('POST', '/v1/revocations', { jti: decode(svid).jti, reason: 'test' }, 201);
      const r = await env.exchange({ subject_token: svid, subject_token_type: TOKEN_TYPE_JWT, audience: ORDERS });
      assert.deepEqual([r.status, r.body.error], [400, 'invalid_grant']);
      assert.match(String(r.body.error_description), /revoked/);
      const [event] = await env.exchanges();
      assert.deepEqual([event!.outcome, event!.details.identity], ['denied', DEPLOY]);
    });

    test('requested_token_type jwt → a JWT-SVID (token_type N_A) that verifies as one', async () => {
      const r = await env.exchange({
        subject_token: await env.joinToken(NODE), subject_token_type: TOKEN_TYPE_JOIN_TOKEN, audience: [ORDERS, 'https://billing.internal'],
        requested_token_type: TOKEN_TYPE_JWT,
      });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.deepEqual({ ...r.body, access_token: '' }, { access_token: '', issued_token_type: TOKEN_TYPE_JWT, token_type: 'N_A', expires_in: 900 });
      const jwks = jose.createRemoteJWKSet(new URL(`${env.t.url}/jwks`));
      const { payload, protectedHeader } = await jose.jwtVerify(r.body.access_token as string, jwks, { issuer: env.t.url, audience: 'https://billing.internal' });
      assert.equal(protectedHeader.typ, 'JWT');
      assert.equal(payload.sub, NODE);
      assert.deepEqual(payload.aud, [ORDERS, 'https://billing.internal']);
      assert.equal(payload.client_id, undefined);
    });

    test('actor_token is verified and recorded as act.sub', async () => {
      const r = await env.exchange({
        subject_token: env.githubToken(), subject_token_type: TOKEN_TYPE_ID_TOKEN, audience: ORDERS,
        actor_token: await svidFor(env, NODE, env.t.url), actor_token_type: TOKEN_TYPE_JWT,
      });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const c = decode(r.body.access_token as string);
      assert.deepEqual([c.sub, c.act], [DEPLOY, { sub: NODE }]);
      const [event] = await env.exchanges();
      assert.equal((event!.details.actor as { sub: string }).sub, NODE);

      const badActor = await env.exchange({
        subject_token: env.githubToken(), subject_token_type: TOKEN_TYPE_JWT, audience: ORDERS,
        actor_token: 'x.y.z', actor_token_type: TOKEN_TYPE_JWT,
      });
      assert.deepEqual([badActor.status, badActor.body.error], [400, 'invalid_grant']);
      assert.match(String(badActor.body.error_description), /^actor_token/);
    });

    test('a disabled identity gets nothing: join token and JWT-SVID subjects are invalid_grant', async () => {
      const who = 'spiffe://tessera.local/node/retired';
      const id = await identity(env, who);
      const jt = await env.joinToken(who);
      const svid = await svidFor(env, who, env.t.url);
      await env.api('POST', `/v1/identities/${id}/disable`, undefined, 200);
      for (const [token, type] of [[jt, TOKEN_TYPE_JOIN_TOKEN], [svid, TOKEN_TYPE_JWT]] as const) {
        const r = await env.exchange({ subject_token: token, subject_token_type: type, audience: ORDERS });
        assert.deepEqual([r.status, r.body.error], [400, 'invalid_grant'], type);
      }
      // A join token for a disabled identity cannot even be created.
      const res = await env.t.app.inject({ method: 'POST', url: '/v1/join-tokens', headers: env.admin, payload: { identity: who } });
      assert.deepEqual([res.statusCode, res.json().code], [409, 'ERR_IDENTITY_DISABLED']);
    });

    test('policy-refused and self-referential targets are invalid_target, with the decision audited', async () => {
      const before = (await env.exchanges('success')).length;
      const wild = await env.exchange({ subject_token: env.githubToken(), subject_token_type: TOKEN_TYPE_JWT, audience: '*' });
      assert.deepEqual([wild.status, wild.body.error], [400, 'invalid_target']);
      assert.match(String(wild.body.error_description), /wildcard/);
      const [event] = await env.exchanges();
      assert.equal(event!.outcome, 'denied');
      assert.deepEqual((event!.details.decision as { allow: boolean; policies: string[] }).policies, ['deny-wildcard-audience']);
      assert.equal(event!.details.binding, 'payments-main');

      for (const own of [env.t.url, `${env.t.url}/v1/identities`]) {
        const r = await env.exchange({ subject_token: env.githubToken(), subject_token_type: TOKEN_TYPE_JWT, resource: own });
        assert.deepEqual([r.status, r.body.error], [400, 'invalid_target'], own);
      }
      const badResource = await env.exchange({ subject_token: env.githubToken(), subject_token_type: TOKEN_TYPE_JWT, resource: 'orders#frag' });
      assert.deepEqual([badResource.status, badResource.body.error], [400, 'invalid_target']);
      assert.equal((await env.exchanges('success')).length, before);
    });

    test('malformed requests are invalid_request naming the parameter; nothing is issued', async () => {
      const before = (await env.exchanges('success')).length;
      const gh = env.githubToken();
      const cases: [Record<string, string | string[]>, RegExp][] = [
        [{ subject_token: gh, subject_token_type: TOKEN_TYPE_JWT }, /^audience: audience or resource is required/],
        [{ subject_token_type: TOKEN_TYPE_JWT, audience: ORDERS }, /^subject_token: is required/],
        [{ subject_token: gh, audience: ORDERS }, /^subject_token_type: is required/],
        [{ subject_token: gh, subject_token_type: TOKEN_TYPE_ACCESS_TOKEN, audience: ORDERS }, /^subject_token_type: must be one of/],
        [{ subject_token: gh, subject_token_type: TOKEN_TYPE_JWT, audience: ORDERS, requested_token_type: 'urn:ietf:params:oauth:token-type:saml2' }, /^requested_token_type/],
        [{ subject_token: gh, subject_token_type: TOKEN_TYPE_JWT, audience: ORDERS, actor_token: gh }, /^actor_token_type: is required/],
        [{ subject_token: gh, subject_token_type: TOKEN_TYPE_JWT, audience: ORDERS, actor_token_type: TOKEN_TYPE_JWT }, /^actor_token_type: must not be given/],
        [{ subject_token: gh, subject_token_type: TOKEN_TYPE_JWT, audience: ORDERS, scope: 'a "b' }, /^scope/],
        [{ subject_token: gh, subject_token_type: TOKEN_TYPE_JWT, audience: Array.from({ length: 17 }, (_, i) => `svc-${i}`) }, /^audience: at most 16/],
        [{ subject_token: gh, subject_token_type: TOKEN_TYPE_JWT, audience: ORDERS, subject_token_type_x: 'ignored', actor_token: '', actor_token_type: TOKEN_TYPE_JWT }, /^actor_token: must not be empty/],
      ];
      for (const [params, message] of cases) {
        const r = await env.exchange(params);
        assert.deepEqual([r.status, r.body.error], [400, 'invalid_request'], JSON.stringify(r.body));
        assert.match(String(r.body.error_description), message);
      }
      const repeated = await env.t.app.inject({
        method: 'POST', url: '/oauth2/token', headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: `grant_type=${encodeURIComponent('urn:ietf:params:oauth:grant-type:token-exchange')}&subject_token=a&subject_token=b&subject_token_type=${encodeURIComponent(TOKEN_TYPE_JWT)}&audience=x`,
      });
      assert.deepEqual([repeated.statusCode, repeated.json().error], [400, 'invalid_request']);
      assert.equal((await env.exchanges('success')).length, before);
      const [event] = await env.exchanges();
      assert.deepEqual([event!.outcome, event!.details.code], ['denied', 'ERR_INVALID_INPUT']);
    });

    test('bearer tokens forbidden: no proof → invalid_request; with a DPoP proof → a DPoP-bound token', async () => {
      const who = 'spiffe://tessera.local/node/strict';
      await identity(env, who, { bearerForbidden: true });
      const bearer = await env.exchange({ subject_token: await env.joinToken(who), subject_token_type: TOKEN_TYPE_JOIN_TOKEN, audience: ORDERS });
      assert.deepEqual([bearer.status, bearer.body.error], [400, 'invalid_request']);
      assert.match(String(bearer.body.error_description), /may only receive sender-constrained tokens/);
      const keys = await dpop.generateKeyPair('ES256');
      const jt = await env.joinToken(who);
      const svid = await env.exchange({ subject_token: jt, subject_token_type: TOKEN_TYPE_JOIN_TOKEN, audience: ORDERS, requested_token_type: TOKEN_TYPE_JWT },
        { DPoP: await dpop.generateProof(keys, `${env.t.url}/oauth2/token`, 'POST') });
      assert.deepEqual([svid.status, svid.body.error], [400, 'invalid_request'], 'a JWT-SVID is a bearer token');
      // The refused requests did not use the join token up.
      const bound = await env.exchange({ subject_token: jt, subject_token_type: TOKEN_TYPE_JOIN_TOKEN, audience: ORDERS },
        { DPoP: await dpop.generateProof(keys, `${env.t.url}/oauth2/token`, 'POST') });
      assert.equal(bound.status, 200, JSON.stringify(bound.body));
      assert.equal(bound.body.token_type, 'DPoP');
      assert.deepEqual(decode(bound.body.access_token as string).cnf, { jkt: await dpop.calculateThumbprint(keys.publicKey) });
    });

    test('an exchanged access token is refused by Tessera\'s own API', async () => {
      const r = await env.exchange({ subject_token: await env.joinToken(NODE), subject_token_type: TOKEN_TYPE_JOIN_TOKEN, audience: ORDERS });
      const res = await env.t.app.inject({ method: 'GET', url: '/v1/identities', headers: { authorization: `Bearer ${r.body.access_token as string}` } });
      assert.equal(res.statusCode, 401);
    });
  });
}
