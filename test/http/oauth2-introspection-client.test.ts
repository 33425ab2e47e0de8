// Introspection (RFC 7662) and revocation (RFC 7009) as a relying party written by others sees
// them: oauth4webapi over real loopback HTTP.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import * as oauth from 'oauth4webapi';
import { signerFor } from '../../src/ca/index.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

const API = 'spiffe://tessera.local/ns/prod/sa/api';

describe('oauth4webapi against /oauth2/introspect and /oauth2/revoke', () => {
  let t: TestServer;
  let as: oauth.AuthorizationServer;
  const client: oauth.Client = { client_id: API };
  let bearer: oauth.ClientAuth;
  const options = { [oauth.allowInsecureRequests]: true };
  before(async () => {
    t = await startTestServer({ listen: true });
    const created = await t.app.inject({ method: 'POST', url: '/v1/identities', headers: await t.adminHeaders(),
      payload: { spiffeId: API, owner: 'team-api', environment: 'prod', tier: 2, ttl: '1h' } });
    assert.equal(created.statusCode, 201, created.body);
    // The endpoints come from the server's RFC 8414 metadata, as a real client finds them.
    const issuer = new URL(t.url);
    as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', [oauth.allowInsecureRequests]: true }));
    assert.equal(as.introspection_endpoint, `${t.url}/oauth2/introspect`);
    assert.equal(as.revocation_endpoint, `${t.url}/oauth2/revoke`);
    // The relying party authenticates with its own Tessera access token (workload role), which
    // RFC 7662 §2.1 allows; oauth4webapi takes that as a client authentication method.
    const token = await t.tokenFor(['workload'], API);
    bearer = (_as, _client, _body, headers) => { headers.set('authorization', `Bearer ${token}`); };
  });
  after(async () => { await t.close(); });

  const now = () => Math.floor(Date.now() / 1000);
  const svid = (over: Record<string, unknown> = {}) => signerFor(t.services.ca.jwtSigner())
    .sign({ iss: t.url, sub: API, aud: ['orders'], iat: now(), exp: now() + 300, jti: randomUUID(), ...over }, 'JWT');
  const introspect = async (token: string) => oauth.processIntrospectionResponse(as, client,
    await oauth.introspectionRequest(as, client, bearer, token, options));

  test('a live JWT-SVID is active; after revocation it is inactive at once', async () => {
    const token = svid();
    const live = await introspect(token);
    assert.equal(live.active, true);
    assert.equal(live.sub, API);
    assert.deepEqual(live.aud, ['orders']);
    assert.equal(live.iss, t.url);
    assert.equal(live.token_type, 'jwt_svid');

    const res = await oauth.revocationRequest(as, client, bearer, token, options);
    assert.equal(await oauth.processRevocationResponse(res), undefined);
    assert.deepEqual(await introspect(token), { active: false });
  });

  test('an invalid token is inactive, and revoking it is still a success for the client', async () => {
    const expired = svid({ iat: now() - 900, exp: now() - 600 });
    assert.deepEqual(await introspect(expired), { active: false });
    const res = await oauth.revocationRequest(as, client, bearer, expired, options);
    assert.equal(await oauth.processRevocationResponse(res), undefined);
  });

  test('without the caller\'s token the client gets a 401 Bearer challenge and invalid_client', async () => {
    const res = await oauth.introspectionRequest(as, client, oauth.None(), svid(), { [oauth.allowInsecureRequests]: true });
    await assert.rejects(oauth.processIntrospectionResponse(as, client, res), (e: unknown) => {
      // A 401 with a WWW-Authenticate challenge surfaces as the challenge; the body says why.
      assert.ok(e instanceof oauth.WWWAuthenticateChallengeError, String(e));
      assert.equal(e.status, 401);
      assert.equal(e.cause[0]?.scheme, 'bearer');
      return true;
    });
    const again = await oauth.introspectionRequest(as, client, oauth.None(), svid(), { [oauth.allowInsecureRequests]: true });
    assert.equal(((await again.json()) as { error?: string }).error, 'invalid_client');
  });
});
