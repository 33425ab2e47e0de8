// Trust-source operations on both stores: create, read, update, remove; every refusal has its
// code, stores nothing and is audited as denied.
import { describe, test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { STORE_KINDS } from '../../helpers/test-store.ts';
import {
  createTrustSource, deleteTrustSource, getTrustSource, listTrustSources, testTrustSource, updateTrustSource,
} from '../../../src/broker/trust/index.ts';
import { TesseraError } from '../../../src/shared/errors.ts';
import { ctx, useTrustEnv } from './setup.ts';

for (const kind of STORE_KINDS) {
  describe(`trust sources on ${kind}`, () => {
    const env = useTrustEnv(kind, { alg: 'RS256' });
    beforeEach(async () => {
      for (const s of await env.store.trustSources.list()) await deleteTrustSource(env.trust, ctx, s.name);
    });
    const base = () => ({
      name: 'github', kind: 'github-actions', issuer: env.issuer.issuer, audiences: ['https://github.com/octo-org'], environment: 'prod',
      bindings: [{ name: 'deploy', condition: 'claims.repository == "octo-org/octo-repo"', spiffeId: 'spiffe://tessera.local/ci/{claims.repository_id}/deploy' }],
    });

    /** The refusal has this code and field, nothing is stored, and a denied event is audited. */
    async function refused(op: () => Promise<unknown>, code: string, field: string | RegExp, action = 'trust-source.create'): Promise<void> {
      const before = await env.store.trustSources.list();
      const head = (await env.store.audit.head()).seq;
      await assert.rejects(op(), (e: unknown) => {
        assert.ok(e instanceof TesseraError, String(e));
        assert.equal(e.code, code, e.message);
        if (typeof field === 'string') assert.equal(e.details?.field, field, e.message); else assert.match(String(e.details?.field), field);
        return true;
      });
      assert.deepEqual(await env.store.trustSources.list(), before);
      const events = await env.store.audit.list({ afterSeq: head, limit: 10 });
      assert.equal(events.length, 1);
      assert.equal(events[0]!.action, action);
      assert.equal(events[0]!.outcome, 'denied');
      assert.equal(JSON.parse(events[0]!.details).code, code);
    }

    test('create applies preset defaults, stores everything and audits it', async () => {
      const s = await createTrustSource(env.trust, ctx, base());
      assert.deepEqual(s.algorithms, ['RS256']);
      assert.equal(s.maxTokenAgeSeconds, 3600);
      assert.equal(s.createdBy, 'alice');
      assert.deepEqual(await getTrustSource(env.trust, 'github'), s);
      assert.deepEqual(await env.store.trustSources.getByIssuer(env.issuer.issuer), s);
      assert.deepEqual((await listTrustSources(env.trust)).map((x) => x.name), ['github']);
      const last = await env.store.audit.last();
      assert.equal(last?.action, 'trust-source.create');
      assert.equal(last?.outcome, 'success');
      assert.equal(last?.target, 'github');
      assert.deepEqual(JSON.parse(last!.details).bindings, s.bindings);
      // The GitHub preset knows the public issuer.
      const gh = await createTrustSource(env.trust, ctx, { name: 'gh-public', kind: 'github-actions', audiences: ['sts'], environment: 'dev' });
      assert.equal(gh.issuer, 'https://token.actions.githubusercontent.com');
    });

    test('duplicate name or issuer is a conflict', async () => {
      await createTrustSource(env.trust, ctx, base());
      await refused(() => createTrustSource(env.trust, ctx, { ...base(), issuer: 'https://other.example' }), 'ERR_CONFLICT', 'name');
      await refused(() => createTrustSource(env.trust, ctx, { ...base(), name: 'github-2' }), 'ERR_CONFLICT', 'issuer');
    });

    test('bad inputs are refused with their code and field, nothing stored', async () => {
      const cases: [Record<string, unknown>, string, string | RegExp][] = [
        [{ ...base(), name: undefined }, 'ERR_INVALID_INPUT', 'name'],
        [{ ...base(), name: 'Bad Name' }, 'ERR_INVALID_INPUT', 'name'],
        [{ ...base(), kind: 'jenkins' }, 'ERR_INVALID_INPUT', 'kind'],
        [{ ...base(), kind: 'oidc', issuer: undefined }, 'ERR_INVALID_INPUT', 'issuer'],
        [{ ...base(), issuer: 'http://issuer.example.com' }, 'ERR_INVALID_INPUT', 'issuer'],
        [{ ...base(), issuer: 'https://user:pw@issuer.example.com' }, 'ERR_INVALID_INPUT', 'issuer'],
        [{ ...base(), issuer: 'not a url' }, 'ERR_INVALID_INPUT', 'issuer'],
        [{ ...base(), audiences: [] }, 'ERR_INVALID_INPUT', 'audiences'],
        [{ ...base(), audiences: undefined }, 'ERR_INVALID_INPUT', 'audiences'],
        [{ ...base(), audiences: [''] }, 'ERR_INVALID_INPUT', 'audiences[0]'],
        [{ ...base(), algorithms: ['none'] }, 'ERR_INVALID_INPUT', 'algorithms[0]'],
        [{ ...base(), algorithms: ['HS256'] }, 'ERR_INVALID_INPUT', 'algorithms[0]'],
        [{ ...base(), algorithms: [] }, 'ERR_INVALID_INPUT', 'algorithms'],
        [{ ...base(), maxTokenAge: '25h' }, 'ERR_INVALID_INPUT', 'maxTokenAge'],
        [{ ...base(), maxTokenAge: 'soon' }, 'ERR_INVALID_DURATION', 'maxTokenAge'],
        [{ ...base(), environment: undefined }, 'ERR_INVALID_INPUT', 'environment'],
        [{ ...base(), environment: 'PROD!' }, 'ERR_INVALID_INPUT', 'environment'],
        [{ ...base(), jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] } }, 'ERR_INVALID_INPUT', /^jwks\.keys\[0\]/],
        [{ ...base(), jwks: { keys: [] } }, 'ERR_INVALID_INPUT', 'jwks'],
        [{ ...base(), jwks: env.issuer.jwks(), jwksUri: 'https://x.example/jwks' }, 'ERR_INVALID_INPUT', /^(jwks|jwksUri)$/],
        [{ ...base(), jwksFile: 'relative/path.json' }, 'ERR_INVALID_INPUT', 'jwksFile'],
        [{ ...base(), surprise: true }, 'ERR_INVALID_INPUT', 'surprise'],
        [{ ...base(), bindings: [{ name: 'deploy', condition: 'claims.repository ==', spiffeId: 'spiffe://tessera.local/x' }] }, 'ERR_INVALID_INPUT', 'bindings[0] (deploy).condition'],
        [{ ...base(), bindings: [{ name: 'deploy', condition: 'true', spiffeId: 'spiffe://elsewhere/x' }] }, 'ERR_TRUST_DOMAIN_MISMATCH', 'bindings[0] (deploy).spiffeId'],
        [{ ...base(), bindings: [{ name: 'deploy', condition: 'true', spiffeId: 'spiffe://tessera.local/{sub}' }] }, 'ERR_INVALID_INPUT', 'bindings[0] (deploy).spiffeId'],
        [{ ...base(), bindings: 'all' }, 'ERR_INVALID_INPUT', 'bindings'],
      ];
      for (const [input, code, field] of cases) await refused(() => createTrustSource(env.trust, ctx, input), code, field);
      await refused(() => createTrustSource(env.trust, ctx, null), 'ERR_INVALID_INPUT', 'body');
    });

    test('update replaces given fields, recompiles bindings and is audited; bad updates change nothing', async () => {
      const s = await createTrustSource(env.trust, ctx, base());
      const u = await updateTrustSource(env.trust, ctx, 'github', { audiences: ['tessera'], maxTokenAge: '30m', algorithms: ['RS256', 'ES256'] });
      assert.deepEqual(u.audiences, ['tessera']);
      assert.equal(u.maxTokenAgeSeconds, 1800);
      assert.deepEqual(u.algorithms, ['RS256', 'ES256']);
      assert.equal(u.issuer, s.issuer);
      assert.ok(u.updatedAt > s.updatedAt);
      assert.deepEqual(await getTrustSource(env.trust, 'github'), u);
      const last = await env.store.audit.last();
      assert.equal(last?.action, 'trust-source.update');
      assert.deepEqual(JSON.parse(last!.details).before.audiences, ['https://github.com/octo-org']);
      // The runtime sees the change at once: the old audience is no longer accepted.
      const r = await testTrustSource(env.trust, 'github', env.issuer.githubToken());
      assert.equal(r.valid, false);
      assert.equal(r.reason, 'wrong_audience');

      await refused(() => updateTrustSource(env.trust, ctx, 'github', { bindings: [{ name: 'b', condition: '1 +', spiffeId: 'spiffe://tessera.local/x' }] }),
        'ERR_INVALID_INPUT', 'bindings[0] (b).condition', 'trust-source.update');
      await refused(() => updateTrustSource(env.trust, ctx, 'github', { name: 'renamed' }), 'ERR_INVALID_INPUT', 'name', 'trust-source.update');
      await refused(() => updateTrustSource(env.trust, ctx, 'nope', { audiences: ['x'] }), 'ERR_NOT_FOUND', 'name', 'trust-source.update');
      // Switching to an inline JWKS drops the fetched one.
      const inline = await updateTrustSource(env.trust, ctx, 'github', { jwks: env.issuer.jwks() });
      assert.equal(inline.jwksUri, null);
      assert.equal(inline.jwks?.keys.length, 1);
    });

    test('delete removes the source; its tokens are refused from then on', async () => {
      await createTrustSource(env.trust, ctx, { ...base(), audiences: ['https://github.com/octo-org'] });
      const token = env.issuer.githubToken();
      assert.equal((await testTrustSource(env.trust, 'github', token)).valid, true);
      await deleteTrustSource(env.trust, ctx, 'github');
      assert.equal(await env.store.trustSources.get('github'), undefined);
      assert.equal((await env.store.audit.last())?.action, 'trust-source.delete');
      const { verifyExternalToken } = await import('../../../src/broker/trust/index.ts');
      await assert.rejects(verifyExternalToken(env.trust, token), (e: TesseraError) => e.details?.reason === 'unknown_issuer');
      await refused(() => deleteTrustSource(env.trust, ctx, 'github'), 'ERR_NOT_FOUND', 'name', 'trust-source.delete');
    });
  });
}
