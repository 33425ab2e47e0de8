// End to end over the HTTP API, on SQLite and on PostgreSQL: import the fixture exports of every
// source, read posture (figures counted by hand from the fixtures, see each comment), import the
// newer exports and check that drift lists exactly what changed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { STORE_KINDS } from '../helpers/test-store.ts';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'inventory');

for (const kind of STORE_KINDS) {
  describe(`inventory end to end on ${kind}`, () => {
    let t: TestServer;
    let h: { authorization: string };
    before(async () => { t = await startTestServer({ store: kind }); h = await t.adminHeaders(); });
    after(async () => { await t.close(); });

    const upload = (source: string, file: string | Buffer, scope?: string) => t.app.inject({
      method: 'POST', url: `/v1/inventory/imports?${new URLSearchParams({ source, ...(scope ? { scope } : {}) })}`,
      headers: { ...h, 'content-type': 'application/octet-stream' },
      payload: typeof file === 'string' ? readFileSync(join(FIXTURES, file)) : file,
    });
    const get = async (url: string) => { const r = await t.app.inject({ method: 'GET', url, headers: h }); assert.equal(r.statusCode, 200, r.body); return r.json(); };
    const metric = (p: { metrics: { id: string; value: number | null; details?: Record<string, number>; groups?: unknown[] }[] }, id: string) => p.metrics.find((m) => m.id === id)!;

    test('every source imports; the same export twice is a no-op', async () => {
      for (const [source, file, scope, records] of [
        ['aws-authorization-details', 'aws/authorization-details.json', undefined, 16],
        ['aws-credential-report', 'aws/credential-report.csv', undefined, 11],
        ['kubernetes', 'kubernetes/list.json', 'prod-eu', 13],
        ['gcp-service-accounts', 'gcp/service-accounts.json', undefined, 4],
        ['gcp-service-account-keys', 'gcp/keys.json', undefined, 4],
        ['github-actions-secrets', 'github/repo-secrets.json', 'acme/payments', 3],
        ['github-deploy-keys', 'github/deploy-keys.json', 'acme/payments', 3],
        ['vault-kv-metadata', 'vault/metadata.json', undefined, 5],
      ] as const) {
        const r = await upload(source, file, scope);
        assert.equal(r.statusCode, 201, `${source}: ${r.body}`);
        assert.equal(r.json().import.records, records, source);
        assert.equal(r.json().import.added, records, source);
      }
      const again = await upload('kubernetes', 'kubernetes/list.json', 'prod-eu');
      assert.equal(again.statusCode, 200);
      assert.equal(again.json().duplicate, true);
      assert.equal((await get('/v1/inventory/imports')).items.length, 8);
    });

    test('posture metrics match the values counted by hand from the fixtures', async () => {
      const p = await get('/v1/posture');
      // Active credentials: 8 AWS access keys/certs that are active + 1 GCP user-managed key
      // + 3 Actions secrets + 2 enabled deploy keys + 2 active legacy SA tokens + 1 live Vault
      // secret = 17 long-lived; plus the federated GitHub OIDC role and 2 GCP system-managed
      // keys (short-lived by Google's rotation) = 20 active in all. 17 / 20 = 0.85.
      assert.equal(metric(p, 'static_credential_ratio').value, 0.85);
      assert.deepEqual(metric(p, 'static_credential_ratio').details, { longLived: 17, active: 20 });
      // 29 active identities (30 minus the disabled legacy-exporter), of which 21 principals: the
      // 2 IAM groups and the 6 Kubernetes Roles/ClusterRoles hold privileges but never act.
      // Owner and service both set on 10: etl-reader, github-actions-deploy, ci-deployer (AWS),
      // etl-service, iot-gateway, metrics-agent, payments-api ×3 (AWS, GCP, Kubernetes),
      // staging/ci-deployer (linked "ci").
      assert.equal(metric(p, 'ownership_coverage').details!.covered, 10);
      assert.equal(metric(p, 'ownership_coverage').details!.identities, 21);
      assert.equal(metric(p, 'revocation_mttr_ms').value, null);
      assert.equal(metric(p, 'exception_debt').value, 0);
      // Each import stored the metrics it left behind: the last overall figure is the same one.
      const history = (await get('/v1/posture/history?metric=static_credential_ratio')).items as { groupBy: string; value: number }[];
      assert.equal(history.filter((r) => r.groupBy === 'all').at(-1)!.value, 0.85);
      const byTier = await get('/v1/posture?groupBy=tier');
      assert.ok(metric(byTier, 'static_credential_ratio').groups !== undefined);
    });

    test('drift between two imports lists exactly the changes made', async () => {
      const since = new Date(Date.now() - 1).toISOString();
      for (const [source, file, scope] of [
        ['kubernetes', 'kubernetes/list-v2.json', 'prod-eu'],
        ['gcp-service-account-keys', 'gcp/keys-v2.json', undefined],
        ['aws-credential-report', 'aws/credential-report-v2.csv', undefined],
        ['aws-authorization-details', 'aws/authorization-details-v2.json', undefined],
      ] as const) {
        const r = await upload(source, file, scope);
        assert.equal(r.statusCode, 201, `${source}: ${r.body}`);
      }
      const d = await get(`/v1/inventory/drift?since=${encodeURIComponent(since)}`);
      const names = (list: { nativeId: string }[]) => list.map((i) => i.nativeId).sort();
      assert.deepEqual(names(d.newIdentities), [
        'arn:aws:iam::123456789012:role/reporting-runner',
        'k8s://prod-eu/namespaces/payments-prod/serviceaccounts/refunds-worker',
      ]);
      assert.deepEqual(names(d.widenedPrivileges), [
        'arn:aws:iam::123456789012:role/etl-reader',
        'k8s://prod-eu/namespaces/staging/roles/deployer',
      ]);
      const removed = names(d.removed);
      assert.ok(removed.includes('k8s://prod-eu/namespaces/kube-system/secrets/orphan-token'), removed.join(' '));
      assert.ok(removed.some((id: string) => id.includes('old-operator')), removed.join(' '));
      assert.ok(removed.some((id: string) => id.includes('legacy-exporter') && id.includes('/keys/')), removed.join(' '));
      assert.ok(d.newCredentials.some((i: { nativeId: string }) => i.nativeId.includes('reporting-job')));
      assert.ok(d.newCredentials.some((i: { nativeId: string }) => i.nativeId.includes('ci-deployer@')));
      const changed = names(d.changed);
      assert.ok(changed.includes('k8s://prod-eu/namespaces/payments-prod/serviceaccounts/payments-api'), changed.join(' '));
      const md = await t.app.inject({ method: 'GET', url: `/v1/inventory/drift?since=${encodeURIComponent(since)}&format=markdown`, headers: h });
      assert.match(md.headers['content-type'] as string, /text\/markdown/);
      assert.match(md.body, /## Widened privileges \(2\)/);
      assert.ok(d.metrics.length > 0, 'metric changes come from the posture history of each import');
    });

    test('bad exports are refused with the field named, and change nothing', async () => {
      const before = (await get('/v1/inventory?limit=1000&removed=true')).items.length;
      const imports = (await get('/v1/inventory/imports')).items.length;
      for (const [source, file, scope, rule] of [
        ['aws-credential-report', 'aws/credential-report-missing-columns.csv', undefined, 'missing-columns'],
        ['aws-credential-report', 'aws/credential-report-truncated.csv', undefined, undefined],
        ['kubernetes', 'aws/authorization-details.json', 'prod-eu', undefined],
        ['github-actions-secrets', 'github/repo-secrets.json', undefined, undefined],
      ] as const) {
        const r = await upload(source, file, scope);
        assert.equal(r.statusCode, 400, `${source} ${file}: ${r.body}`);
        assert.equal(r.json().code, 'ERR_INVALID_INPUT');
        assert.ok(typeof r.json().field === 'string', r.body);
        if (rule) assert.equal(r.json().rule, rule);
      }
      const unknown = await upload('ldap', Buffer.from('x'));
      assert.equal(unknown.statusCode, 400);
      assert.equal(unknown.json().field, 'source');
      const empty = await upload('kubernetes', Buffer.alloc(0), 'x');
      assert.equal(empty.statusCode, 400);
      const json = await t.app.inject({ method: 'POST', url: '/v1/inventory/imports?source=kubernetes', headers: { ...h, 'content-type': 'application/json' }, payload: '{}' });
      assert.equal(json.statusCode, 415);
      assert.equal((await get('/v1/inventory?limit=1000&removed=true')).items.length, before);
      assert.equal((await get('/v1/inventory/imports')).items.length, imports);
    });

    test('an export over inventoryMaxImportBytes is refused before it is parsed; no temporary file is left', async () => {
      const small = await startTestServer({ store: kind, config: { inventoryMaxImportBytes: 2048 } });
      try {
        const r = await small.app.inject({
          method: 'POST', url: '/v1/inventory/imports?source=kubernetes&scope=big',
          headers: { ...(await small.adminHeaders()), 'content-type': 'application/octet-stream' },
          payload: readFileSync(join(FIXTURES, 'kubernetes', 'list.json')),
        });
        assert.equal(r.statusCode, 413, r.body);
        assert.equal(r.json().field, 'file');
        assert.equal((await small.store.inventory.listImports(10)).length, 0);
        assert.deepEqual(readdirSync(join(small.dataDir, 'tmp')), []);
      } finally {
        await small.close();
      }
    });

    test('links: manual link, list, unlink; unknown ids and bad names are refused', async () => {
      const arn = 'arn:aws:iam::123456789012:user/alice';
      const post = (body: unknown) => t.app.inject({ method: 'POST', url: '/v1/inventory/links', headers: { ...h, 'content-type': 'application/json' }, payload: JSON.stringify(body) });
      assert.equal((await post({ nativeId: arn, workload: 'Bad Name' })).json().field, 'workload');
      assert.equal((await post({ nativeId: 'arn:nope', workload: 'x' })).statusCode, 404);
      assert.equal((await post({ nativeId: arn, workload: 'billing' })).statusCode, 201);
      const links = await get('/v1/inventory/links?workload=billing');
      assert.deepEqual(links.items, [{ nativeId: arn, workload: 'billing', rule: 'manual' }]);
      const del = await t.app.inject({ method: 'DELETE', url: `/v1/inventory/links?nativeId=${encodeURIComponent(arn)}`, headers: h });
      assert.equal(del.statusCode, 204);
      const events = await t.store.audit.list({ limit: 200, newestFirst: true });
      assert.ok(events.some((e) => e.action === 'inventory.link' && e.target === arn));
      assert.ok(events.some((e) => e.action === 'inventory.unlink' && e.target === arn));
    });
  });
}
