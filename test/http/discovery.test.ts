// Publication over real loopback HTTP, checked with libraries written by others: oauth4webapi
// accepts the discovery documents, and jose's remote JWKS (found through discovery) verifies
// JWT-SVIDs minted by the server, on ES256 and on RS256 servers.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import * as jose from 'jose';
import * as oauth from 'oauth4webapi';
import { JWT_BEARER_GRANT } from '../../src/access/index.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

const SPIFFE_ID = 'spiffe://tessera.local/ns/prod/sa/payments';

async function register(t: TestServer, spiffeId = SPIFFE_ID, over: Record<string, unknown> = {}): Promise<void> {
  const res = await t.app.inject({
    method: 'POST', url: '/v1/identities', headers: await t.adminHeaders(),
    payload: { spiffeId, owner: 'team-payments', environment: 'prod', tier: 1, ttl: '15m', ...over },
  });
  assert.equal(res.statusCode, 201, res.body);
}

async function mint(t: TestServer, body: Record<string, unknown>): Promise<{ token: string; jti: string; expiresAt: string }> {
  const res = await fetch(`${t.url}/v1/jwt-svids`, {
    method: 'POST', headers: { ...(await t.adminHeaders()), 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()) as { token: string; jti: string; expiresAt: string };
}

for (const alg of ['ES256', 'RS256'] as const) {
  describe(`publication on an ${alg} server (real loopback HTTP)`, () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer({ listen: true, config: { jwtAlg: alg } });
      await register(t);
    });
    after(async () => { await t.close(); });

    test('oauth4webapi accepts both discovery documents; jose verifies a JWT-SVID through the advertised jwks_uri', async () => {
      const issuer = new URL(t.url);
      for (const algorithm of ['oidc', 'oauth2'] as const) {
        const res = await oauth.discoveryRequest(issuer, { algorithm, [oauth.allowInsecureRequests]: true });
        const as = await oauth.processDiscoveryResponse(issuer, res);
        assert.equal(as.issuer, t.url);
        assert.equal(as.jwks_uri, `${t.url}/jwks`);
        assert.equal(as.token_endpoint, `${t.url}/oauth2/token`);
        assert.deepEqual(as.grant_types_supported, [JWT_BEARER_GRANT, 'urn:ietf:params:oauth:grant-type:token-exchange']);
        assert.deepEqual(as.id_token_signing_alg_values_supported, [alg]);
        assert.deepEqual(as.response_types_supported, ['id_token']);
        assert.deepEqual(as.subject_types_supported, ['public']);
        for (const [field, path] of [['introspection_endpoint', '/oauth2/introspect'], ['revocation_endpoint', '/oauth2/revoke']] as const) {
          const exists = t.routes.some((r) => r.method === 'POST' && r.url === path);
          assert.equal(as[field], exists ? `${t.url}${path}` : undefined, `${field} is listed exactly when the route exists`);
        }
      }

      const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { [oauth.allowInsecureRequests]: true }));
      const jwks = jose.createRemoteJWKSet(new URL(as.jwks_uri!));
      const minted = await mint(t, { identity: SPIFFE_ID, audience: ['orders', 'billing'], ttl: '5m' });
      const { payload, protectedHeader } = await jose.jwtVerify(minted.token, jwks, { issuer: t.url, audience: 'orders', algorithms: [alg] });
      assert.deepEqual(protectedHeader, { alg, kid: t.services.ca.jwtSigner().kid, typ: 'JWT' });
      assert.deepEqual(Object.keys(protectedHeader), ['alg', 'kid', 'typ'], 'header exactly alg, kid, typ');
      assert.equal(payload.sub, SPIFFE_ID);
      assert.deepEqual(payload.aud, ['orders', 'billing']);
      assert.equal(payload.jti, minted.jti);
      assert.equal(payload.exp! - payload.iat!, 300);
      assert.equal(new Date(payload.exp! * 1000).toISOString(), minted.expiresAt);
      // The wrong audience is refused by the relying party.
      await assert.rejects(jose.jwtVerify(minted.token, jwks, { issuer: t.url, audience: 'someone-else' }), /aud/);
    });

    test('GET /jwks: every published key with kid, alg and use "sig", public members only; cacheable with an ETag (304 when unchanged)', async () => {
      const res = await fetch(`${t.url}/jwks`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
      assert.match(res.headers.get('cache-control') ?? '', /^public, max-age=300$/);
      const etag = res.headers.get('etag');
      assert.match(etag ?? '', /^"[\w-]+"$/);
      const body = (await res.json()) as { keys: Record<string, unknown>[] };
      assert.deepEqual(body.keys.map((k) => k.kid), t.services.ca.jwtKeys().map((k) => k.kid));
      assert.equal(body.keys.length, 2, 'the signing key and its prepared successor');
      for (const k of body.keys) {
        assert.equal(k.alg, alg);
        assert.equal(k.use, 'sig');
        assert.equal(k.kty, alg === 'ES256' ? 'EC' : 'RSA');
        for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) assert.equal(k[secret], undefined);
      }
      const again = await fetch(`${t.url}/jwks`, { headers: { 'if-none-match': etag! } });
      assert.equal(again.status, 304);
      assert.equal(await again.text(), '');
      assert.equal(again.headers.get('etag'), etag);
      assert.equal((await fetch(`${t.url}/jwks`, { headers: { 'if-none-match': `"other", W/${etag}` } })).status, 304);
      assert.equal((await fetch(`${t.url}/jwks`, { headers: { 'if-none-match': '"other"' } })).status, 200);
    });

    test('GET /.well-known/spiffe-bundle: x509-svid entries with x5c and no kid, jwt-svid entries with kid, sequence and refresh hint', async () => {
      const res = await fetch(`${t.url}/.well-known/spiffe-bundle`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('cache-control') ?? '', /max-age=300/);
      assert.ok(res.headers.get('etag'));
      const bundle = (await res.json()) as { keys: Record<string, unknown>[]; spiffe_sequence: number; spiffe_refresh_hint: number };
      assert.deepEqual(Object.keys(bundle).sort(), ['keys', 'spiffe_refresh_hint', 'spiffe_sequence']);
      assert.equal(bundle.spiffe_refresh_hint, 300);
      assert.equal(bundle.spiffe_sequence, t.services.ca.sequence());
      assert.ok(Number.isInteger(bundle.spiffe_sequence) && bundle.spiffe_sequence > 0);

      const x509 = bundle.keys.filter((k) => k.use === 'x509-svid');
      assert.equal(x509.length, 1);
      for (const k of x509) {
        assert.equal(k.kid, undefined, 'x509-svid entries carry no kid');
        const x5c = k.x5c as string[];
        assert.equal(x5c.length, 1);
        assert.match(x5c[0]!, /^[A-Za-z0-9+/]+=*$/, 'standard base64, not base64url');
        const cert = new X509Certificate(Buffer.from(x5c[0]!, 'base64'));
        assert.ok(cert.ca);
        assert.ok(Buffer.from(cert.raw).equals(t.services.ca.x509Authorities()[0]!.certDer));
        const pub = cert.publicKey.export({ format: 'jwk' });
        assert.deepEqual([k.kty, k.crv, k.x, k.y], [pub.kty, pub.crv, pub.x, pub.y], 'the JWK is the certificate\'s key');
      }
      const jwt = bundle.keys.filter((k) => k.use === 'jwt-svid');
      assert.deepEqual(jwt.map((k) => k.kid), t.services.ca.jwtKeys().map((k) => k.kid));
      assert.equal(bundle.keys.length, x509.length + jwt.length);
      // A relying party can verify JWT-SVIDs from the bundle's jwt-svid keys too.
      const minted = await mint(t, { identity: SPIFFE_ID, audience: 'orders' });
      const local = jose.createLocalJWKSet({ keys: jwt.map(({ use: _use, ...k }) => ({ ...k, alg })) as jose.JWK[] });
      assert.equal((await jose.jwtVerify(minted.token, local, { audience: 'orders' })).payload.sub, SPIFFE_ID);
    });

    test('the discovery documents are cacheable too, and public (no token needed); 304 on a matching ETag', async () => {
      for (const path of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server']) {
        const res = await fetch(`${t.url}${path}`);
        assert.equal(res.status, 200);
        assert.match(res.headers.get('cache-control') ?? '', /^public, max-age=\d+$/);
        const etag = res.headers.get('etag')!;
        assert.equal((await fetch(`${t.url}${path}`, { headers: { 'if-none-match': etag } })).status, 304);
      }
    });
  });
}

test('the published set changes with a rotation: new ETag, higher spiffe_sequence, the old key still published', async () => {
  const t = await startTestServer();
  try {
    const get = async (url: string) => t.app.inject({ method: 'GET', url });
    const before = await get('/.well-known/spiffe-bundle');
    const jwksBefore = await get('/jwks');
    const oldKid = t.services.ca.jwtSigner().kid;
    // The sequence is a time in ms: make sure the rotation lands in a later millisecond.
    await new Promise((r) => setTimeout(r, 5));
    await t.services.ca.rotate('all', { actor: { id: 'admin', roles: ['admin'] } });
    const after = await get('/.well-known/spiffe-bundle');
    assert.notEqual(after.headers.etag, before.headers.etag);
    assert.ok(after.json().spiffe_sequence > before.json().spiffe_sequence);
    const jwks = (await get('/jwks')).json() as { keys: { kid: string }[] };
    assert.ok(jwks.keys.some((k) => k.kid === oldKid), 'the retired key stays published');
    assert.ok(jwksBefore.json().keys.some((k: { kid: string }) => k.kid === t.services.ca.jwtSigner().kid), 'the new signing key was published before');
    assert.equal((await t.app.inject({ method: 'GET', url: '/jwks', headers: { 'if-none-match': String(jwksBefore.headers.etag) } })).statusCode, 200);
  } finally { await t.close(); }
});
