// Outbound federation (docs/federation.md): Tessera's discovery document, JWKS and JWT-SVIDs,
// produced by a real server, meet what AWS STS, GCP STS and Vault's JWT auth document they
// check (test/federation/consumers.ts). Each consumer check is also shown to refuse what the
// documentation says it refuses, so a passing check means something.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { awsProblems, gcpProblems, vaultProblems, type Published } from './consumers.ts';

const ISSUER = 'https://tessera.example.com';
const SPIFFE_ID = 'spiffe://tessera.local/ns/prod/sa/deployer';
const GCP_PROVIDER = '//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/tessera/providers/tessera-prod';

async function publishedBy(t: TestServer): Promise<Published> {
  const d = await t.app.inject({ method: 'GET', url: '/.well-known/openid-configuration' });
  const j = await t.app.inject({ method: 'GET', url: '/jwks' });
  assert.equal(d.statusCode, 200);
  assert.equal(j.statusCode, 200);
  return { discovery: d.json(), jwks: j.json() };
}

async function mint(t: TestServer, audience: string | string[], ttl = '15m'): Promise<string> {
  const res = await t.app.inject({ method: 'POST', url: '/v1/jwt-svids', headers: await t.adminHeaders(), payload: { identity: SPIFFE_ID, audience, ttl } });
  assert.equal(res.statusCode, 200, res.body);
  return res.json().token as string;
}

function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
}

for (const jwtAlg of ['RS256', 'ES256'] as const) {
  describe(`a Tessera server with publicUrl ${ISSUER} signing ${jwtAlg}`, () => {
    let t: TestServer;
    let p: Published;
    before(async () => {
      t = await startTestServer({ config: { jwtAlg, publicUrl: ISSUER } });
      const res = await t.app.inject({
        method: 'POST', url: '/v1/identities', headers: await t.adminHeaders(),
        payload: { spiffeId: SPIFFE_ID, owner: 'team-platform', environment: 'prod', tier: 1, ttl: '1h' },
      });
      assert.equal(res.statusCode, 201, res.body);
      p = await publishedBy(t);
    });
    after(async () => { await t.close(); });

    test('discovery and JWKS carry what every consumer reads: https issuer and jwks_uri, kid/kty/alg/use on each key', () => {
      assert.equal(p.discovery.issuer, ISSUER);
      assert.equal(p.discovery.jwks_uri, `${ISSUER}/jwks`);
      assert.ok((p.discovery.id_token_signing_alg_values_supported as string[]).includes(jwtAlg));
      assert.ok(p.jwks.keys.length > 0);
      const kids = new Set<unknown>();
      for (const k of p.jwks.keys) {
        assert.equal(typeof k.kid, 'string');
        kids.add(k.kid);
        assert.equal(k.use, 'sig');
        assert.equal(k.alg, jwtAlg);
        if (jwtAlg === 'RS256') {
          assert.equal(k.kty, 'RSA');
          assert.equal(typeof k.n, 'string');
          assert.equal(k.e, 'AQAB');
        } else {
          assert.deepEqual([k.kty, k.crv], ['EC', 'P-256']);
        }
        for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) assert.equal(k[secret], undefined, `no ${secret} in a published key`);
      }
      assert.equal(kids.size, p.jwks.keys.length, 'kids are unique');
    });

    test('AWS AssumeRoleWithWebIdentity: a JWT-SVID for sts.amazonaws.com is accepted; the documented refusals hold', async () => {
      const provider = { url: ISSUER, clientIds: ['sts.amazonaws.com'] };
      const token = await mint(t, 'sts.amazonaws.com');
      assert.deepEqual(await awsProblems(p, token, provider, Date.now()), []);
      // The role trust policy conditions on these two keys; their values are the token's claims.
      const c = claimsOf(token);
      assert.equal(c.sub, SPIFFE_ID);
      assert.equal(c.aud, 'sts.amazonaws.com', 'a single audience is a string, as AWS reads it');
      // Controls: another audience, a provider URL with a trailing path, a plain-http issuer.
      assert.match((await awsProblems(p, await mint(t, 'orders'), provider, Date.now())).join(), /client IDs/);
      assert.match((await awsProblems(p, token, { ...provider, url: `${ISSUER}/` }, Date.now())).join(), /iss .* is not the provider URL/);
      assert.match((await awsProblems(p, token, { ...provider, url: 'http://127.0.0.1:8080' }, Date.now())).join(), /https/);
    });

    test('GCP STS token exchange: subject token rules and the google.subject limit hold for a JWT-SVID', async () => {
      const provider = { resourceName: GCP_PROVIDER, issuerUri: ISSUER, allowedAudiences: [] };
      const token = await mint(t, GCP_PROVIDER);
      assert.deepEqual(await gcpProblems(p, token, provider, Date.now()), []);
      // With an explicit allowed audience instead of the default.
      assert.deepEqual(await gcpProblems(p, await mint(t, 'tessera-gcp'), { ...provider, allowedAudiences: ['tessera-gcp'] }, Date.now()), []);
      // The STS request a workload sends (documented shape), built from the token.
      const body = new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        audience: GCP_PROVIDER,
        scope: 'https://www.googleapis.com/auth/cloud-platform',
        requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
        subject_token: token,
      });
      assert.equal(body.get('subject_token'), token);
      // Control: another audience is refused; and the lifetime stays under the 48-hour bound.
      assert.match((await gcpProblems(p, await mint(t, 'orders'), provider, Date.now())).join(), /allowed audiences/);
      const c = claimsOf(token);
      assert.ok((c.exp as number) - (c.iat as number) < 48 * 3600);
    });

    test('Vault JWT auth: oidc_discovery_url = the issuer, bound_audiences, user_claim=sub, bound_subject', async () => {
      const cfg = {
        oidcDiscoveryUrl: ISSUER, boundIssuer: ISSUER,
        role: { role_type: 'jwt' as const, bound_audiences: ['vault'], user_claim: 'sub', bound_subject: SPIFFE_ID },
      };
      const token = await mint(t, 'vault');
      assert.deepEqual(await vaultProblems(p, token, cfg, Date.now()), []);
      // A mount restricted with jwt_supported_algs=RS256 takes only an RS256 server's tokens.
      const rsOnly = await vaultProblems(p, token, { ...cfg, role: { ...cfg.role, jwt_supported_algs: ['RS256'] } }, Date.now());
      assert.equal(rsOnly.length === 0, jwtAlg === 'RS256');
      // Controls: discovery URL with a trailing slash (issuer mismatch), another subject, no audiences.
      assert.match((await vaultProblems(p, token, { ...cfg, oidcDiscoveryUrl: `${ISSUER}/` }, Date.now())).join(), /discovery issuer/);
      assert.match((await vaultProblems(p, token, { ...cfg, role: { ...cfg.role, bound_subject: 'spiffe://tessera.local/other' } }, Date.now())).join(), /bound_subject/);
      assert.match((await vaultProblems(p, token, { ...cfg, role: { ...cfg.role, bound_audiences: [] } }, Date.now())).join(), /bound_audiences/);
    });

    test('a token signed by another key under a published kid is refused by every consumer check', async () => {
      const token = await mint(t, ['sts.amazonaws.com', GCP_PROVIDER, 'vault']);
      const [h, c] = token.split('.');
      const forged = `${h}.${c}.${Buffer.alloc(jwtAlg === 'RS256' ? 256 : 64, 1).toString('base64url')}`;
      const now = Date.now();
      assert.match((await awsProblems(p, forged, { url: ISSUER, clientIds: ['sts.amazonaws.com'] }, now)).join(), /signature/);
      assert.match((await gcpProblems(p, forged, { resourceName: GCP_PROVIDER, issuerUri: ISSUER, allowedAudiences: [] }, now)).join(), /signature/);
      assert.match((await vaultProblems(p, forged, { oidcDiscoveryUrl: ISSUER, role: { role_type: 'jwt', bound_audiences: ['vault'], user_claim: 'sub' } }, now)).join(), /signature/);
    });
  });
}

describe('the loopback caveat', () => {
  let t: TestServer;
  before(async () => { t = await startTestServer({ listen: true }); });
  after(async () => { await t.close(); });

  test('without publicUrl the issuer is the plain-http listen address, which AWS and GCP refuse', async () => {
    const p = await publishedBy(t);
    assert.match(String(p.discovery.issuer), /^http:\/\/127\.0\.0\.1:\d+$/);
    await t.app.inject({
      method: 'POST', url: '/v1/identities', headers: await t.adminHeaders(),
      payload: { spiffeId: SPIFFE_ID, owner: 'team-platform', environment: 'prod', tier: 1, ttl: '1h' },
    });
    const token = await mint(t, ['sts.amazonaws.com', GCP_PROVIDER]);
    const issuer = String(p.discovery.issuer);
    assert.match((await awsProblems(p, token, { url: issuer, clientIds: ['sts.amazonaws.com'] }, Date.now())).join(), /https/);
    assert.match((await gcpProblems(p, token, { resourceName: GCP_PROVIDER, issuerUri: issuer, allowedAudiences: [] }, Date.now())).join(), /https/);
  });
});

test('google.subject is limited to 127 bytes: a longer SPIFFE ID needs another mapping (the check catches it)', async () => {
  // Built by hand: the check itself, on a token whose sub is too long for google.subject.
  const { generateKeyPair, exportJWK, SignJWT } = await import('jose');
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k', alg: 'RS256', use: 'sig' };
  const p: Published = { discovery: { issuer: ISSUER, jwks_uri: `${ISSUER}/jwks` }, jwks: { keys: [jwk] } };
  const now = Math.floor(Date.now() / 1000);
  const sign = (sub: string) => new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid: 'k' }).setIssuer(ISSUER).setSubject(sub)
    .setAudience(GCP_PROVIDER).setIssuedAt(now - 1).setExpirationTime(now + 600).sign(privateKey);
  const provider = { resourceName: GCP_PROVIDER, issuerUri: ISSUER, allowedAudiences: [] };
  assert.deepEqual(await gcpProblems(p, await sign(`spiffe://tessera.local/${'a'.repeat(127 - 'spiffe://tessera.local/'.length)}`), provider, Date.now()), []);
  assert.match((await gcpProblems(p, await sign(`spiffe://tessera.local/${'a'.repeat(128 - 'spiffe://tessera.local/'.length)}`), provider, Date.now())).join(), /127 bytes/);
});
