import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import { kubernetes } from '../../../src/inventory/importers/kubernetes.ts';
import type { InventoryRecord } from '../../../src/inventory/types.ts';
import { fixture, importAll, importFailure } from './importer-kit.ts';

const C = 'k8s://prod-eu';
const sa = (ns: string, name: string) => `${C}/namespaces/${ns}/serviceaccounts/${name}`;
const role = (ns: string, name: string) => `${C}/namespaces/${ns}/roles/${name}`;
const clusterRole = (name: string) => `${C}/clusterroles/${name}`;
const t = Date.parse;
const undated = { lastRotatedAt: null, lastUsedAt: null, expiresAt: null };
const nobody = { owner: null, service: null, environment: null, tier: null };
const identity = { category: 'identity', parentId: null, active: true, longLived: false, federated: false, ...undated } as const;
const token = { category: 'credential', kind: 'token', longLived: true, federated: false, lastRotatedAt: null, expiresAt: null } as const;
const roleBase = { ...identity, kind: 'permission-set' } as const;
const bound = (from: string, to: string) => ({ from, to, relation: 'bound-to' as const });
const priv = (action: string, resource: string, sensitive = false, wildcard = false) => ({ action, resource, wildcard, sensitive });

const LIST: InventoryRecord[] = [
  {
    ...identity, kind: 'service-account', nativeId: sa('payments-prod', 'payments-api'), name: 'payments-prod/payments-api',
    owner: 'team-payments', service: 'payments-api', environment: 'prod', tier: '1', createdAt: t('2023-03-01T09:00:00Z'),
    attributes: { namespace: 'payments-prod', labels: { 'app.kubernetes.io/name': 'payments-api', team: 'team-payments' }, annotations: { 'tessera.dev/tier': '1' } },
  },
  {
    ...identity, kind: 'service-account', nativeId: sa('payments-prod', 'legacy-batch'), name: 'payments-prod/legacy-batch',
    ...nobody, environment: 'prod', createdAt: t('2021-06-15T12:00:00Z'), attributes: { namespace: 'payments-prod' },
  },
  {
    ...identity, kind: 'service-account', nativeId: sa('kube-system', 'default'), name: 'kube-system/default',
    ...nobody, createdAt: t('2020-01-10T08:00:00Z'), attributes: { namespace: 'kube-system' },
  },
  {
    ...identity, kind: 'service-account', nativeId: sa('staging', 'ci-deployer'), name: 'staging/ci-deployer',
    owner: 'platform-team', service: null, environment: 'staging', tier: '2', createdAt: t('2022-09-01T10:30:00Z'),
    attributes: { namespace: 'staging', labels: { environment: 'staging', owner: 'platform-team', tier: 'tier-2' }, automountServiceAccountToken: false },
  },
  {
    ...token, nativeId: `${C}/namespaces/payments-prod/secrets/legacy-batch-token`, name: 'payments-prod/legacy-batch-token',
    parentId: sa('payments-prod', 'legacy-batch'), ...nobody, environment: 'prod',
    createdAt: t('2021-06-15T12:00:01Z'), lastUsedAt: t('2024-05-02T00:00:00Z'), active: true,
    attributes: {
      namespace: 'payments-prod', serviceAccount: 'legacy-batch',
      labels: { 'kubernetes.io/legacy-token-last-used': '2024-05-02' },
      annotations: { 'kubernetes.io/service-account.name': 'legacy-batch', 'kubernetes.io/service-account.uid': '1a2b3c4d-0002-4aaa-8bbb-000000000002' },
    },
  },
  {
    ...token, nativeId: `${C}/namespaces/staging/secrets/old-deployer-token`, name: 'staging/old-deployer-token',
    parentId: sa('staging', 'ci-deployer'), ...nobody, environment: 'staging',
    createdAt: t('2022-09-01T08:31:00Z'), lastUsedAt: t('2023-11-01T00:00:00Z'), active: false,
    attributes: {
      namespace: 'staging', serviceAccount: 'ci-deployer',
      labels: { 'kubernetes.io/legacy-token-invalid-since': '2024-02-01', 'kubernetes.io/legacy-token-last-used': '2023-11-01' },
      annotations: { 'kubernetes.io/service-account.name': 'ci-deployer' },
    },
  },
  {
    ...token, nativeId: `${C}/namespaces/kube-system/secrets/orphan-token`, name: 'kube-system/orphan-token',
    parentId: null, ...nobody, createdAt: t('2020-02-29T23:59:59.123Z'), lastUsedAt: null, active: true,
    attributes: { namespace: 'kube-system' },
  },
  {
    ...roleBase, nativeId: role('payments-prod', 'secret-reader'), name: 'payments-prod/secret-reader',
    ...nobody, owner: 'team-payments', environment: 'prod', createdAt: t('2023-03-01T09:01:00Z'),
    privileges: [
      priv('get secrets', 'namespaces/payments-prod/secrets', true),
      priv('list secrets', 'namespaces/payments-prod/secrets', true),
      priv('get configmaps', 'namespaces/payments-prod/configmaps/payments-config'),
    ],
    edges: [bound(sa('payments-prod', 'payments-api'), role('payments-prod', 'secret-reader')), bound(sa('payments-prod', 'legacy-batch'), role('payments-prod', 'secret-reader'))],
    attributes: { namespace: 'payments-prod', labels: { owner: 'team-payments' }, clusterRole: false },
  },
  {
    ...roleBase, nativeId: role('staging', 'deployer'), name: 'staging/deployer',
    ...nobody, environment: 'staging', createdAt: t('2022-09-01T10:30:05Z'),
    privileges: [
      priv('get deployments.apps', 'namespaces/staging/deployments.apps'),
      priv('update deployments.apps', 'namespaces/staging/deployments.apps'),
      priv('patch deployments.apps', 'namespaces/staging/deployments.apps'),
      priv('create pods/exec', 'namespaces/staging/pods/exec', true),
    ],
    edges: [bound(sa('staging', 'ci-deployer'), role('staging', 'deployer')), bound(`${C}/groups/ci-bots`, role('staging', 'deployer'))],
    attributes: { namespace: 'staging', clusterRole: false },
  },
  {
    ...roleBase, nativeId: clusterRole('cluster-admin'), name: 'cluster-admin', ...nobody, createdAt: t('2020-01-10T08:00:00Z'),
    privileges: [priv('* *', 'cluster/*', true, true), priv('* *', 'cluster/nonresource/*', true, true)],
    edges: [bound(`${C}/groups/system:masters`, clusterRole('cluster-admin')), bound(sa('payments-prod', 'legacy-batch'), clusterRole('cluster-admin'))],
    attributes: { labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' }, annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'true' }, clusterRole: true },
  },
  {
    ...roleBase, nativeId: clusterRole('view-nodes'), name: 'view-nodes', ...nobody, createdAt: t('2022-01-05T00:00:00Z'),
    privileges: [priv('get nodes', 'cluster/nodes'), priv('list nodes', 'cluster/nodes'), priv('watch nodes', 'cluster/nodes'), priv('get /healthz', 'cluster/nonresource/healthz')],
    edges: [bound(sa('kube-system', 'default'), clusterRole('view-nodes'))],
    attributes: { clusterRole: true },
  },
  {
    ...roleBase, nativeId: clusterRole('impersonator'), name: 'impersonator', ...nobody, createdAt: t('2022-01-06T00:00:00Z'),
    privileges: [priv('impersonate serviceaccounts', 'cluster/serviceaccounts', true)], edges: [],
    attributes: { clusterRole: true },
  },
  {
    // ClusterRole "view" is bound in payments-prod but is not in the export: the edge is kept on a placeholder.
    ...roleBase, nativeId: clusterRole('view'), name: 'view', ...nobody, createdAt: null,
    privileges: [], edges: [bound(`${C}/users/alice@example.com`, clusterRole('view'))],
    attributes: { clusterRole: true, notInExport: true },
  },
];

const byId = (rs: InventoryRecord[]) => new Map(rs.map((r) => [r.nativeId, r]));

describe('kubernetes importer', () => {
  it('reads the fixture list into exact records: SAs and token Secrets first, then roles with their binding edges', async () => {
    const { records, scope } = await importAll(kubernetes, fixture('kubernetes/list.json'), { scope: 'prod-eu' });
    assert.equal(scope, 'prod-eu');
    assert.deepEqual(records, LIST);
  });

  it('yields the same records when the file arrives one byte at a time', async () => {
    const { records } = await importAll(kubernetes, fixture('kubernetes/list.json'), { scope: 'prod-eu' }, 1);
    assert.deepEqual(records, LIST);
  });

  it('never keeps a token: neither Secret data nor the last-applied-configuration annotation', async () => {
    const { records } = await importAll(kubernetes, fixture('kubernetes/list.json'), { scope: 'prod-eu' });
    const text = JSON.stringify(records);
    for (const secret of ['fixture-token-not-real', Buffer.from('fixture-token-not-real-1').toString('base64'), 'last-applied-configuration', 'fixture-password']) {
      assert.ok(!text.includes(secret), `${secret} is not in the records`);
    }
    assert.ok(!records.some((r) => r.name.endsWith('db-password') || r.name.endsWith('ingress-tls')), 'non-token Secrets are skipped');
  });

  it("uses the cluster 'default' when no scope is given", async () => {
    const { records, scope } = await importAll(kubernetes, fixture('kubernetes/list.json'));
    assert.equal(scope, 'default');
    assert.equal(records[0]!.nativeId, 'k8s://default/namespaces/payments-prod/serviceaccounts/payments-api');
  });

  it('the v2 list shows exactly one changed, one removed, one added identity and one widened role', async () => {
    const v1 = byId((await importAll(kubernetes, fixture('kubernetes/list.json'), { scope: 'prod-eu' })).records);
    const v2 = byId((await importAll(kubernetes, fixture('kubernetes/list-v2.json'), { scope: 'prod-eu' })).records);
    assert.deepEqual([...v1.keys()].filter((k) => !v2.has(k)), [`${C}/namespaces/kube-system/secrets/orphan-token`]);
    assert.deepEqual([...v2.keys()].filter((k) => !v1.has(k)), [sa('payments-prod', 'refunds-worker')]);
    assert.deepEqual(v2.get(sa('payments-prod', 'refunds-worker')), {
      ...identity, kind: 'service-account', nativeId: sa('payments-prod', 'refunds-worker'), name: 'payments-prod/refunds-worker',
      owner: 'team-payments', service: 'refunds', environment: 'prod', tier: '2', createdAt: t('2024-06-01T08:00:00Z'),
      attributes: { namespace: 'payments-prod', labels: { 'app.kubernetes.io/name': 'refunds', team: 'team-payments', tier: '2' } },
    });
    const changed = [...v1.keys()].filter((k) => v2.has(k) && !isDeepStrictEqual(v1.get(k), v2.get(k)));
    assert.deepEqual(changed, [sa('payments-prod', 'payments-api'), role('staging', 'deployer')]);
    // A tessera.dev/owner annotation beats the generic team label.
    assert.equal(v2.get(sa('payments-prod', 'payments-api'))!.owner, 'team-checkout');
    const gained = v2.get(role('staging', 'deployer'))!.privileges!.filter((p) => !v1.get(role('staging', 'deployer'))!.privileges!.some((q) => q.action === p.action && q.resource === p.resource));
    assert.deepEqual(gained, [priv('delete deployments.apps', 'namespaces/staging/deployments.apps'), priv('get secrets', 'namespaces/staging/secrets', true)]);
  });

  it('writes resourceNames with subresources as REST paths, flags wildcards in groups and resources, dedupes repeats', async () => {
    const list = {
      apiVersion: 'v1', kind: 'List', items: [{
        apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'r', namespace: 'dev' },
        rules: [
          { apiGroups: [''], resources: ['pods/exec'], resourceNames: ['web-0'], verbs: ['create'] },
          { apiGroups: ['*'], resources: ['configmaps'], verbs: ['get'] },
          { apiGroups: ['apps'], resources: ['deployments/*'], verbs: ['get'] },
          { apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles'], verbs: ['bind', 'escalate'] },
          { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
          { apiGroups: [''], resources: ['configmaps'], verbs: ['get'] },
        ],
      }],
    };
    const { records } = await importAll(kubernetes, JSON.stringify(list));
    assert.equal(records[0]!.environment, 'dev');
    assert.deepEqual(records[0]!.privileges, [
      priv('create pods/exec', 'namespaces/dev/pods/web-0/exec', true),
      priv('get configmaps', 'namespaces/dev/configmaps', true, true), // the core-group repeat merges into the wildcard one
      priv('get deployments.apps/*', 'namespaces/dev/deployments.apps/*', true, true),
      priv('bind roles.rbac.authorization.k8s.io', 'namespaces/dev/roles.rbac.authorization.k8s.io', true),
      priv('escalate roles.rbac.authorization.k8s.io', 'namespaces/dev/roles.rbac.authorization.k8s.io', true),
      priv('create secrets', 'namespaces/dev/secrets'), // writing a secret is not reading one
    ]);
  });

  it('reads a creation time with a space and no zone as UTC', async () => {
    const list = { apiVersion: 'v1', items: [{ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'a', namespace: 'x', creationTimestamp: '2023-03-01 09:00:00' } }], kind: 'List' };
    const { records } = await importAll(kubernetes, JSON.stringify(list));
    assert.equal(records[0]!.createdAt, t('2023-03-01T09:00:00Z'));
  });

  describe('bad input', () => {
    const sa1 = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'a', namespace: 'x', creationTimestamp: '2023-03-01T09:00:00Z' } };
    const list = (items: unknown[], top: Record<string, unknown> = { kind: 'List' }) => JSON.stringify({ apiVersion: 'v1', items, ...top });

    it('a list of another kind (pods) fails at its first item, before any record', async () => {
      const pods = list([{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'x' } }]);
      const { before } = await importFailure(kubernetes, pods, { field: 'items[0].kind', rule: 'kind', message: /Pod: not a Kubernetes List of service accounts/ });
      assert.deepEqual(before, []);
    });

    it('a single object instead of a List is refused at the end', async () => {
      await importFailure(kubernetes, JSON.stringify({ ...sa1, secrets: [{ name: 's' }] }),
        { field: 'kind', rule: 'not-a-list', message: /not a Kubernetes v1 List \(kind "ServiceAccount"\)/ });
    });

    it('a List whose kind is missing or wrong is refused after its items', async () => {
      const { before } = await importFailure(kubernetes, list([sa1], { kind: 'ServiceAccountList' }), { field: 'kind', rule: 'not-a-list' });
      assert.equal(before.length, 1, 'records already yielded are thrown away by the import transaction');
      await importFailure(kubernetes, list([sa1], {}), { field: 'kind', rule: 'not-a-list', message: /no kind/ });
    });

    it('JSON of other exports: a gcloud array, an AWS authorization details object', async () => {
      await importFailure(kubernetes, fixture('gcp/service-accounts.json'), { field: 'kind', rule: 'not-a-list', message: /top-level array/ });
      await importFailure(kubernetes, '{"UserDetailList": [{"UserName": "a"}], "GroupDetailList": []}', { field: 'kind', rule: 'not-a-list' });
    });

    it('a truncated file, an empty file, text that is not JSON', async () => {
      const whole = fixture('kubernetes/list.json');
      await importFailure(kubernetes, whole.subarray(0, Math.floor(whole.length / 2)), { field: 'file', rule: 'truncated' }, { scope: 'prod-eu' });
      await importFailure(kubernetes, '', { field: 'file', rule: 'empty' });
      await importFailure(kubernetes, 'NAME   SECRETS   AGE\ndefault   0   1d\n', { field: 'file', rule: 'json' });
    });

    it('odd dates name the item and field', async () => {
      const bad = list([{ ...sa1, metadata: { ...sa1.metadata, creationTimestamp: '01/03/2023' } }]);
      await importFailure(kubernetes, bad, { field: 'items[0].metadata.creationTimestamp', rule: 'time', message: /"01\/03\/2023" is not a time/ });
      const feb30 = list([{ ...sa1, metadata: { ...sa1.metadata, creationTimestamp: '2023-02-30T00:00:00Z' } }]);
      await importFailure(kubernetes, feb30, { field: 'items[0].metadata.creationTimestamp', rule: 'time' });
      const lastUsed = list([{ apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/service-account-token', metadata: { name: 's', namespace: 'x', labels: { 'kubernetes.io/legacy-token-last-used': 'last week' } } }]);
      await importFailure(kubernetes, lastUsed, { field: 'items[0].metadata.labels["kubernetes.io/legacy-token-last-used"]', rule: 'time' });
    });

    it('missing names, namespaces, duplicates and malformed bindings or rules', async () => {
      await importFailure(kubernetes, list([{ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { namespace: 'x' } }]), { field: 'items[0].metadata.name', rule: 'required' });
      await importFailure(kubernetes, list([{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' } }]), { field: 'items[0].metadata.namespace', rule: 'required' });
      await importFailure(kubernetes, list([sa1, sa1]), { field: 'items[1]', rule: 'duplicate' });
      const crb = (subjects: unknown[], roleRef: unknown = { kind: 'ClusterRole', name: 'x' }) =>
        list([{ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'b' }, roleRef, subjects }]);
      await importFailure(kubernetes, crb([{ kind: 'ServiceAccount', name: 'a' }]), { field: 'items[0].subjects[0].namespace', rule: 'required' });
      await importFailure(kubernetes, crb([{ kind: 'Robot', name: 'a' }]), { field: 'items[0].subjects[0].kind', rule: 'kind' });
      await importFailure(kubernetes, crb([], { kind: 'Role', name: 'x' }), { field: 'items[0].roleRef.kind', rule: 'kind' });
      await importFailure(kubernetes, crb([], { kind: 'ClusterRole' }), { field: 'items[0].roleRef.name', rule: 'required' });
      const badRule = list([{ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'c' }, rules: [{ resources: ['pods'] }] }]);
      await importFailure(kubernetes, badRule, { field: 'items[0].rules[0].verbs', rule: 'required' });
      const badLabels = list([{ ...sa1, metadata: { ...sa1.metadata, labels: { tier: 1 } } }]);
      await importFailure(kubernetes, badLabels, { field: 'items[0].metadata.labels', rule: 'string-map' });
    });
  });
});
