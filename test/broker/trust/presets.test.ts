// Each preset end to end: a real issuer signs a token shaped like the real thing, the verifier
// accepts it, a binding over individual claims picks a registered identity.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { STORE_KINDS } from '../../helpers/test-store.ts';
import { startOidcIssuer, type OidcIssuer } from '../../helpers/oidc-issuer.ts';
import { matchBinding, verifyExternalToken } from '../../../src/broker/trust/index.ts';
import { useTrustEnv } from './setup.ts';

for (const kind of STORE_KINDS) {
  describe(`trust presets end to end on ${kind}`, () => {
    const env = useTrustEnv(kind, { alg: 'RS256' });
    const issuers: OidcIssuer[] = [];
    after(async () => { for (const i of issuers) await i.close(); });
    const newIssuer = async (alg: 'ES256' | 'RS256') => { const i = await startOidcIssuer({ alg }); issuers.push(i); return i; };

    test('github-actions: repository, ref and environment claims bind to the deploy identity', async () => {
      await env.register('spiffe://tessera.local/ci/github/octo-org/octo-repo/deploy');
      await env.addSource({
        name: 'github', kind: 'github-actions', issuer: env.issuer.issuer, audiences: ['https://github.com/octo-org'], environment: 'prod',
        bindings: [{
          name: 'deploy',
          condition: 'claims.repository == "octo-org/octo-repo" && claims.ref == "refs/heads/main" && claims.environment == "prod" && claims.repository_owner_id == "1000001"',
          spiffeId: 'spiffe://tessera.local/ci/github/{path:claims.repository}/deploy',
        }],
      });
      const token = env.issuer.githubToken({ environment: 'prod' });
      const verified = await verifyExternalToken(env.trust, token);
      assert.equal(verified.source.name, 'github');
      assert.equal(verified.claims.repository, 'octo-org/octo-repo');
      const m = await matchBinding(env.trust, verified);
      assert.equal(m.match?.spiffeId, 'spiffe://tessera.local/ci/github/octo-org/octo-repo/deploy');
      assert.equal(m.match?.binding, 'deploy');

      // The immutable subject form changes nothing: bindings never parse sub.
      const immutable = await verifyExternalToken(env.trust, env.issuer.githubToken({ environment: 'prod', immutableSub: true }));
      assert.match(String(immutable.claims.sub), /^repo:octo-org@1000001\/octo-repo@2000002:environment:prod$/);
      assert.equal((await matchBinding(env.trust, immutable)).match?.binding, 'deploy');

      // Untrusted repository, branch and environment: verified, but no binding.
      for (const [opts, why] of [
        [{ repo: 'other-repo', environment: 'prod' }, 'repository'],
        [{ ref: 'refs/heads/feature', environment: 'prod' }, 'branch'],
        [{ environment: 'staging' }, 'environment'],
        [{}, 'no environment'],
      ] as const) {
        const v = await verifyExternalToken(env.trust, env.issuer.githubToken(opts));
        const r = await matchBinding(env.trust, v);
        assert.equal(r.match, undefined, why);
        assert.equal(r.explanations[0]?.matched, false);
        assert.match(r.explanations[0]!.reason, /condition (is false|could not be evaluated)/, why);
      }
    });

    test('gitlab-ci: project path, protected ref and environment bind', async () => {
      const gl = await newIssuer('RS256');
      await env.register('spiffe://tessera.local/ci/gitlab/20/release', 'staging');
      await env.addSource({
        name: 'gitlab', kind: 'gitlab-ci', issuer: gl.issuer, audiences: 'https://gitlab.example.com', environment: 'staging',
        bindings: [{
          name: 'release',
          condition: 'claims.project_path == "my-group/my-project" && claims.ref_protected == "true" && claims.environment == "staging"',
          spiffeId: 'spiffe://tessera.local/ci/gitlab/{claims.project_id}/release',
        }],
      });
      const ok = await verifyExternalToken(env.trust, gl.gitlabToken({ environment: 'staging' }));
      assert.equal((await matchBinding(env.trust, ok)).match?.spiffeId, 'spiffe://tessera.local/ci/gitlab/20/release');
      const unprotected = await verifyExternalToken(env.trust, gl.gitlabToken({ environment: 'staging', refProtected: false }));
      assert.equal((await matchBinding(env.trust, unprotected)).match, undefined);
    });

    test('kubernetes (ES256 cluster): namespace and service account bind', async () => {
      const k8s = await newIssuer('ES256');
      await env.register('spiffe://tessera.local/ns/payments/sa/api');
      await env.addSource({
        name: 'cluster-a', kind: 'kubernetes', issuer: k8s.issuer, algorithms: ['ES256'],
        audiences: ['tessera'], environment: 'prod',
        bindings: [{
          name: 'workloads',
          condition: 'claims["kubernetes.io"].namespace in ["payments", "orders"]',
          spiffeId: 'spiffe://tessera.local/ns/{claims["kubernetes.io"].namespace}/sa/{claims["kubernetes.io"].serviceaccount.name}',
        }],
      });
      const v = await verifyExternalToken(env.trust, k8s.kubernetesToken({ namespace: 'payments', serviceAccount: 'api', aud: ['tessera'] }));
      assert.equal(v.claims.sub, 'system:serviceaccount:payments:api');
      assert.equal((await matchBinding(env.trust, v)).match?.spiffeId, 'spiffe://tessera.local/ns/payments/sa/api');
      // Condition true, but no identity registered for the resolved ID.
      const orders = await verifyExternalToken(env.trust, k8s.kubernetesToken({ namespace: 'orders', serviceAccount: 'api', aud: ['tessera'] }));
      const r = await matchBinding(env.trust, orders);
      assert.equal(r.match, undefined);
      assert.match(r.explanations[0]!.reason, /spiffe:\/\/tessera\.local\/ns\/orders\/sa\/api is not a registered identity/);
      // The preset pins RS256 for kubernetes unless told otherwise.
      const rsOnly = await newIssuer('ES256');
      const src = await env.addSource({ name: 'cluster-b', kind: 'kubernetes', issuer: rsOnly.issuer, audiences: ['tessera'], environment: 'dev' });
      assert.deepEqual(src.algorithms, ['RS256']);
      await assert.rejects(verifyExternalToken(env.trust, rsOnly.kubernetesToken({ aud: ['tessera'] })),
        (e: Error & { code?: string }) => e.code === 'ERR_INVALID_GRANT' && /alg "ES256" is not allowed/.test(e.message));
    });

    test('oidc: any issuer; a dev source never binds a prod identity', async () => {
      const idp = await newIssuer('ES256');
      await env.register('spiffe://tessera.local/svc/batch', 'dev');
      await env.register('spiffe://tessera.local/svc/batch-prod', 'prod');
      await env.addSource({
        name: 'idp', kind: 'oidc', issuer: idp.issuer, algorithms: ['ES256', 'RS256'], audiences: ['tessera'], environment: 'dev',
        bindings: [
          { name: 'prod', condition: 'claims.sub == "batch" && claims.tier == "prod"', spiffeId: 'spiffe://tessera.local/svc/batch-prod' },
          { name: 'dev', condition: 'claims.sub == "batch"', spiffeId: 'spiffe://tessera.local/svc/batch' },
        ],
      });
      const v = await verifyExternalToken(env.trust, idp.token({ aud: 'tessera', claims: { sub: 'batch', tier: 'prod' } }));
      const r = await matchBinding(env.trust, v);
      assert.equal(r.explanations[0]!.matched, false);
      assert.match(r.explanations[0]!.reason, /trusted for "dev", not for prod identity/);
      assert.equal(r.match?.spiffeId, 'spiffe://tessera.local/svc/batch');
    });
  });
}
