// /v1/trust-sources and `tessera trust` against a real server on loopback and a real issuer.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { startOidcIssuer, type OidcIssuer } from '../../helpers/oidc-issuer.ts';
import { runCli } from '../../helpers/cli.ts';

const DEPLOY = 'spiffe://tessera.local/ci/github/2000002/deploy';

describe('trust sources over HTTP and the CLI', () => {
  let t: TestServer;
  let gh: OidcIssuer;
  let flags: string[];
  let admin: { authorization: string };
  before(async () => {
    t = await startTestServer({ listen: true });
    gh = await startOidcIssuer({ alg: 'RS256' });
    flags = ['--server', t.url, '--data', t.dataDir];
    admin = await t.adminHeaders();
    const r = await runCli(['identity', 'create', '--spiffe-id', DEPLOY, '--owner', 'team-ci', '--env', 'prod', '--tier', '2', '--ttl', '15m', ...flags]);
    assert.equal(r.code, 0, r.stderr);
  });
  after(async () => { await gh.close(); await t.close(); });
  const cli = (...args: string[]) => runCli([...args, ...flags]);
  const tokenFile = (name: string, token: string) => { const f = join(t.dataDir, name); writeFileSync(f, `${token}\n`); return f; };

  test('routes declare admin writes and admin+auditor reads', () => {
    const auth = Object.fromEntries(t.routes.filter((r) => r.url.startsWith('/v1/trust-sources')).map((r) => [`${r.method} ${r.url}`, r.auth]));
    assert.deepEqual(auth, {
      'POST /v1/trust-sources': ['admin'], 'GET /v1/trust-sources': ['admin', 'auditor'],
      'GET /v1/trust-sources/:name': ['admin', 'auditor'], 'PATCH /v1/trust-sources/:name': ['admin'],
      'DELETE /v1/trust-sources/:name': ['admin'], 'POST /v1/trust-sources/:name/test': ['admin', 'auditor'],
    });
  });

  test('HTTP: create, read, update, test, refuse bad input, delete', async () => {
    const body = {
      name: 'gh-http', kind: 'oidc', issuer: gh.issuer, algorithms: ['RS256'], audiences: ['tessera'], environment: 'prod',
      bindings: [{ name: 'deploy', condition: 'claims.repository_id == "2000002" && claims.ref == "refs/heads/main"', spiffeId: 'spiffe://tessera.local/ci/github/{claims.repository_id}/deploy' }],
    };
    const created = await t.app.inject({ method: 'POST', url: '/v1/trust-sources', headers: admin, payload: body });
    assert.equal(created.statusCode, 201, created.body);
    assert.equal(created.headers.location, '/v1/trust-sources/gh-http');
    assert.equal(created.json().maxTokenAge, 3600);

    const auditor = { authorization: `Bearer ${await t.tokenFor(['auditor'])}` };
    const workload = { authorization: `Bearer ${await t.tokenFor(['workload'])}` };
    assert.equal((await t.app.inject({ method: 'GET', url: '/v1/trust-sources', headers: auditor })).json().items.length, 1);
    assert.equal((await t.app.inject({ method: 'GET', url: '/v1/trust-sources/gh-http', headers: workload })).statusCode, 403);
    assert.equal((await t.app.inject({ method: 'POST', url: '/v1/trust-sources', headers: auditor, payload: { ...body, name: 'x' } })).statusCode, 403);

    const bad = await t.app.inject({ method: 'POST', url: '/v1/trust-sources', headers: admin, payload: { ...body, name: 'gh-bad', issuer: 'https://bad.example', bindings: [{ name: 'b', condition: 'claims.x ==', spiffeId: 'spiffe://tessera.local/x' }] } });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().code, 'ERR_INVALID_INPUT');
    assert.equal(bad.json().field, 'bindings[0] (b).condition');
    assert.match(bad.json().detail ?? bad.body, /CEL does not compile/);
    const unknown = await t.app.inject({ method: 'POST', url: '/v1/trust-sources', headers: admin, payload: { ...body, name: 'gh-x', extra: 1 } });
    assert.equal(unknown.statusCode, 400);
    assert.equal((await t.app.inject({ method: 'GET', url: '/v1/trust-sources/gh-bad', headers: admin })).statusCode, 404);

    const patched = await t.app.inject({ method: 'PATCH', url: '/v1/trust-sources/gh-http', headers: admin, payload: { maxTokenAge: '20m' } });
    assert.equal(patched.statusCode, 200, patched.body);
    assert.equal(patched.json().maxTokenAge, 1200);

    const tested = await t.app.inject({ method: 'POST', url: '/v1/trust-sources/gh-http/test', headers: auditor, payload: { token: gh.githubToken({ aud: 'tessera' }) } });
    assert.equal(tested.statusCode, 200, tested.body);
    assert.deepEqual(tested.json().match, { binding: 'deploy', spiffeId: DEPLOY, identityId: tested.json().match.identityId });
    // The runtime on Services is the one the token exchange uses.
    const v = await t.services.trust.sourceByIssuer(gh.issuer);
    assert.equal(v?.source.name, 'gh-http');

    assert.equal((await t.app.inject({ method: 'DELETE', url: '/v1/trust-sources/gh-http', headers: admin })).statusCode, 204);
    assert.equal((await t.app.inject({ method: 'DELETE', url: '/v1/trust-sources/gh-http', headers: admin })).statusCode, 404);
  });

  test('CLI: add, list, get, test (exit 0 matched, 1 no match or invalid, 2 usage), remove', async () => {
    const add = await cli('trust', 'add', '--name', 'github', '--kind', 'github-actions', '--issuer', gh.issuer, '--audience', 'tessera',
      '--env', 'prod', '--binding', 'deploy', '--condition', 'claims.repository_id == "2000002" && claims.environment == "prod"',
      '--spiffe-id', 'spiffe://tessera.local/ci/github/{claims.repository_id}/deploy');
    assert.equal(add.code, 0, add.stderr);
    assert.match(add.stdout, /added trust source github/);
    const list = await cli('trust', 'list');
    assert.match(list.stdout, /^github\s+github-actions\s+prod\s+http:\/\/127\.0\.0\.1/m);
    const get = await cli('trust', 'get', 'github', '--json');
    assert.deepEqual(JSON.parse(get.stdout).algorithms, ['RS256']);

    const ok = await cli('trust', 'test', '--source', 'github', '--token-file', tokenFile('ok.jwt', gh.githubToken({ aud: 'tessera', environment: 'prod' })));
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, new RegExp(`matched binding deploy → ${DEPLOY}`));

    const staging = await cli('trust', 'test', '--source', 'github', '--token-file', tokenFile('staging.jwt', gh.githubToken({ aud: 'tessera', environment: 'staging' })), '--json');
    assert.equal(staging.code, 1);
    const r = JSON.parse(staging.stdout);
    assert.equal(r.valid, true);
    assert.deepEqual(r.explanations, [{ binding: 'deploy', matched: false, reason: 'condition is false' }]);

    const wrongAud = await cli('trust', 'test', '--source', 'github', '--token-file', tokenFile('aud.jwt', gh.githubToken({ environment: 'prod' })));
    assert.equal(wrongAud.code, 1);
    assert.match(wrongAud.stdout, /not valid for source github: wrong audience/);

    assert.equal((await cli('trust', 'test', '--token-file', tokenFile('x.jwt', 'x'))).code, 2);
    assert.equal((await cli('trust', 'test', '--source', 'github', '--token-file', join(t.dataDir, 'missing.jwt'))).code, 2);
    assert.equal((await cli('trust', 'add', '--name', 'n', '--kind', 'oidc', '--env', 'dev')).code, 2);
    const badCel = await cli('trust', 'add', '--name', 'n', '--kind', 'oidc', '--issuer', 'https://n.example', '--audience', 'a', '--env', 'dev',
      '--binding', 'b', '--condition', 'claims.x ==', '--spiffe-id', 'spiffe://tessera.local/x');
    assert.equal(badCel.code, 2);
    assert.match(badCel.stderr, /bindings\[0\] \(b\)\.condition: CEL does not compile/);
    assert.equal((await cli('trust', 'frobnicate')).code, 2);
    assert.equal((await cli('trust', 'test', '--source', 'nope', '--token-file', tokenFile('y.jwt', 'y'))).code, 1);

    const rm = await cli('trust', 'remove', 'github');
    assert.equal(rm.code, 0, rm.stderr);
    assert.equal((await cli('trust', 'get', 'github')).code, 1);
  });

  test('CLI: bindings from a YAML file and an inline JWKS from a file', async () => {
    const k = await startOidcIssuer({ alg: 'ES256' });
    try {
      const bindings = join(t.dataDir, 'bindings.yaml');
      writeFileSync(bindings, `- name: api\n  condition: claims["kubernetes.io"].namespace == "payments"\n  spiffeId: spiffe://tessera.local/ns/{claims["kubernetes.io"].namespace}/sa/{claims["kubernetes.io"].serviceaccount.name}\n`);
      const jwks = join(t.dataDir, 'jwks.json');
      writeFileSync(jwks, JSON.stringify(k.jwks()));
      const add = await cli('trust', 'add', '--name', 'cluster', '--kind', 'kubernetes', '--issuer', k.issuer, '--jwks', jwks, '--alg', 'ES256',
        '--audience', 'tessera', '--env', 'dev', '--bindings', bindings, '--max-age', '2h');
      assert.equal(add.code, 0, add.stderr);
      assert.match(add.stdout, /keys\s+inline \(1\)/);
      await runCli(['identity', 'create', '--spiffe-id', 'spiffe://tessera.local/ns/payments/sa/api', '--owner', 'team-p', '--env', 'dev', '--tier', '3', '--ttl', '1h', ...flags]);
      const ok = await cli('trust', 'test', '--source', 'cluster', '--token-file', tokenFile('k.jwt', k.kubernetesToken({ namespace: 'payments', serviceAccount: 'api', aud: ['tessera'] })));
      assert.equal(ok.code, 0, ok.stdout + ok.stderr);
      assert.deepEqual(k.requests(), { jwks: 0, discovery: 0 });
    } finally {
      await k.close();
    }
  });
});
