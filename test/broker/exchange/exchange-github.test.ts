// The "done when": a GitHub-Actions-shaped token exchanged by a real OAuth client
// (oauth4webapi) for a DPoP-bound access token (proof by the `dpop` package) for one audience;
// a token from another branch refused with invalid_grant and an audit event explaining why.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as oauth from 'oauth4webapi';
import * as dpop from 'dpop';
import * as jose from 'jose';
import { DEPLOY, GITHUB_BINDING, ORDERS, useExchangeEnv } from './setup.ts';
import { TOKEN_EXCHANGE_GRANT, TOKEN_TYPE_ACCESS_TOKEN, TOKEN_TYPE_JWT } from '../../../src/broker/exchange/index.ts';

describe('token exchange of a GitHub Actions token (real client, real loopback)', () => {
  const env = useExchangeEnv('sqlite');

  async function client() {
    const issuer = new URL(env.t.url);
    const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { [oauth.allowInsecureRequests]: true }));
    return { as, client: { client_id: 'github-runner' } as oauth.Client };
  }

  test('a DPoP-bound access token for one audience; the token verifies at the JWKS and is bound to the proof key', async () => {
    const { as, client: c } = await client();
    assert.equal(as.token_endpoint, `${env.t.url}/oauth2/token`);
    const keys = await dpop.generateKeyPair('ES256');
    const proof = await dpop.generateProof(keys, as.token_endpoint!, 'POST');
    const response = await oauth.genericTokenEndpointRequest(as, c, oauth.None(), TOKEN_EXCHANGE_GRANT, new URLSearchParams({
      subject_token: env.githubToken(), subject_token_type: TOKEN_TYPE_JWT, audience: ORDERS,
    }), { headers: { DPoP: proof }, [oauth.allowInsecureRequests]: true });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    const body = await oauth.processGenericTokenEndpointResponse(as, c, response);
    assert.deepEqual(Object.keys(body).sort(), ['access_token', 'expires_in', 'issued_token_type', 'token_type']);
    assert.equal(body.token_type, 'dpop');   // oauth4webapi lower-cases it
    assert.equal(body.issued_token_type, TOKEN_TYPE_ACCESS_TOKEN);
    assert.equal(body.expires_in, 900);      // the identity's 15 minutes

    const jwks = jose.createRemoteJWKSet(new URL(as.jwks_uri!));
    const { payload, protectedHeader } = await jose.jwtVerify(body.access_token, jwks, { issuer: env.t.url, audience: ORDERS, typ: 'at+jwt' });
    assert.equal(payload.sub, DEPLOY);
    assert.equal(payload.client_id, DEPLOY);
    assert.equal(payload.aud, ORDERS);
    assert.equal(payload.exp! - payload.iat!, 900);
    assert.deepEqual(payload.cnf, { jkt: await dpop.calculateThumbprint(keys.publicKey) });
    assert.equal(payload.roles, undefined, 'never Tessera API roles');
    assert.equal(protectedHeader.typ, 'at+jwt');

    const [event] = await env.exchanges();
    assert.equal(event!.outcome, 'success');
    assert.equal(event!.target, DEPLOY);
    assert.deepEqual(event!.details.source, { kind: 'oidc', name: 'github' });
    assert.equal(event!.details.binding, GITHUB_BINDING);
    assert.equal(event!.details.identity, DEPLOY);
    assert.deepEqual(event!.details.audience, [ORDERS]);
    assert.equal(event!.details.tokenType, 'DPoP');
    assert.equal(event!.details.jti, payload.jti);
    assert.deepEqual((event!.details.decision as { allow: boolean }).allow, true);
    assert.ok(!JSON.stringify(event).includes(body.access_token.split('.')[2]!), 'the audit event never holds the token');
  });

  test('a token from another branch is refused with invalid_grant, and the audit event says why, per binding', async () => {
    const { as, client: c } = await client();
    const before = (await env.exchanges('success')).length;
    const response = await oauth.genericTokenEndpointRequest(as, c, oauth.None(), TOKEN_EXCHANGE_GRANT, new URLSearchParams({
      subject_token: env.githubToken({ ref: 'refs/heads/feature-x' }), subject_token_type: TOKEN_TYPE_JWT, audience: ORDERS,
    }), { [oauth.allowInsecureRequests]: true });
    assert.equal(response.status, 400);
    await assert.rejects(oauth.processGenericTokenEndpointResponse(as, c, response), (e: unknown) => {
      assert.ok(e instanceof oauth.ResponseBodyError);
      assert.equal(e.error, 'invalid_grant');
      assert.match(e.error_description!, /no binding of trust source github matched/);
      return true;
    });
    assert.equal((await env.exchanges('success')).length, before, 'nothing issued');
    const [event] = await env.exchanges();
    assert.equal(event!.outcome, 'denied');
    assert.equal(event!.details.code, 'ERR_INVALID_GRANT');
    assert.deepEqual(event!.details.source, { kind: 'oidc', name: 'github' });
    const bindings = event!.details.bindings as { binding: string; matched: boolean; reason: string }[];
    assert.equal(bindings.length, 1);
    assert.equal(bindings[0]!.binding, GITHUB_BINDING);
    assert.equal(bindings[0]!.matched, false);
    assert.ok(bindings[0]!.reason.length > 0);
  });

  test('an expired GitHub token, and one for another audience, are invalid_grant naming why', async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = await env.exchange({ subject_token: env.githubToken({ iat: now - 900, exp: now - 600 }), subject_token_type: TOKEN_TYPE_JWT, audience: ORDERS });
    assert.equal(expired.status, 400);
    assert.equal(expired.body.error, 'invalid_grant');
    assert.match(String(expired.body.error_description), /expired/);
    const wrongAud = await env.exchange({ subject_token: env.githubToken({ aud: 'someone-else' }), subject_token_type: TOKEN_TYPE_JWT, audience: ORDERS });
    assert.equal(wrongAud.body.error, 'invalid_grant');
    const [event] = await env.exchanges();
    assert.equal(event!.outcome, 'denied');
    assert.equal(typeof event!.details.refusal, 'string');
  });

  test('a DPoP proof for another URI is invalid_dpop_proof, audited as a refused exchange', async () => {
    const keys = await dpop.generateKeyPair('ES256');
    const proof = await dpop.generateProof(keys, `${env.t.url}/oauth2/other`, 'POST');
    const r = await env.exchange({ subject_token: env.githubToken(), subject_token_type: TOKEN_TYPE_JWT, audience: ORDERS }, { DPoP: proof });
    assert.deepEqual([r.status, r.body.error], [400, 'invalid_dpop_proof']);
    const [event] = await env.exchanges();
    assert.equal(event!.outcome, 'denied');
    assert.equal(event!.details.code, 'ERR_INVALID_DPOP_PROOF');
    assert.equal(event!.details.subjectTokenType, TOKEN_TYPE_JWT);
  });

  test('a replayed DPoP proof is refused', async () => {
    const keys = await dpop.generateKeyPair('ES256');
    const proof = await dpop.generateProof(keys, `${env.t.url}/oauth2/token`, 'POST');
    const first = await env.exchange({ subject_token: env.githubToken(), subject_token_type: TOKEN_TYPE_JWT, audience: ORDERS }, { DPoP: proof });
    assert.equal(first.status, 200);
    assert.equal(first.body.token_type, 'DPoP');
    const again = await env.exchange({ subject_token: env.githubToken(), subject_token_type: TOKEN_TYPE_JWT, audience: ORDERS }, { DPoP: proof });
    assert.deepEqual([again.status, again.body.error], [400, 'invalid_dpop_proof']);
  });
});
