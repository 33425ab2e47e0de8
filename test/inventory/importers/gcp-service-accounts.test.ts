import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gcpServiceAccounts } from '../../../src/inventory/importers/gcp-service-accounts.ts';
import type { InventoryRecord } from '../../../src/inventory/types.ts';
import { fixture, importAll, importFailure } from './importer-kit.ts';

const P = 'acme-payments-prod';
const name = (email: string) => `projects/${P}/serviceAccounts/${email}`;
const base = {
  category: 'identity', kind: 'service-account', parentId: null, createdAt: null, lastRotatedAt: null, lastUsedAt: null, expiresAt: null,
  longLived: false, federated: false,
} as const;
const nobody = { owner: null, service: null, environment: null, tier: null };

const ACCOUNTS: InventoryRecord[] = [
  {
    ...base, nativeId: name(`payments-api@${P}.iam.gserviceaccount.com`), name: `payments-api@${P}.iam.gserviceaccount.com`,
    owner: 'team-payments', service: 'payments-api', environment: 'prod', tier: '1', active: true,
    attributes: {
      projectId: P, email: `payments-api@${P}.iam.gserviceaccount.com`, uniqueId: '104883200193456780001', displayName: 'Payments API',
      description: 'Runs the payments API. owner=team-payments service=payments-api tier=1 env=prod',
    },
  },
  {
    ...base, nativeId: name(`legacy-exporter@${P}.iam.gserviceaccount.com`), name: `legacy-exporter@${P}.iam.gserviceaccount.com`,
    ...nobody, owner: 'data-eng', active: false,
    attributes: {
      projectId: P, email: `legacy-exporter@${P}.iam.gserviceaccount.com`, uniqueId: '104883200193456780002', displayName: 'Legacy exporter',
      description: 'Nightly CSV export to the finance bucket; owner: data-eng',
    },
  },
  {
    ...base, nativeId: name('123456789012-compute@developer.gserviceaccount.com'), name: '123456789012-compute@developer.gserviceaccount.com',
    ...nobody, active: true,
    attributes: { projectId: P, email: '123456789012-compute@developer.gserviceaccount.com', uniqueId: '104883200193456780003', displayName: 'Compute Engine default service account' },
  },
  {
    ...base, nativeId: name(`ci-deployer@${P}.iam.gserviceaccount.com`), name: `ci-deployer@${P}.iam.gserviceaccount.com`,
    ...nobody, active: true,
    attributes: { projectId: P, email: `ci-deployer@${P}.iam.gserviceaccount.com`, uniqueId: '104883200193456780004' },
  },
];

const one = (over: Record<string, unknown> = {}) => ({ name: name(`a@${P}.iam.gserviceaccount.com`), email: `a@${P}.iam.gserviceaccount.com`, projectId: P, ...over });

describe('gcp-service-accounts importer', () => {
  it('reads the fixture into exact records; the project is the scope', async () => {
    const { records, scope } = await importAll(gcpServiceAccounts, fixture('gcp/service-accounts.json'));
    assert.deepEqual(records, ACCOUNTS);
    assert.equal(scope, P);
  });

  it('gives the same records one byte at a time, and keeps a scope that was given', async () => {
    const { records, scope } = await importAll(gcpServiceAccounts, fixture('gcp/service-accounts.json'), { scope: 'payments' }, 1);
    assert.deepEqual(records, ACCOUNTS);
    assert.equal(scope, 'payments');
  });

  it('an empty list is fine with a scope', async () => {
    assert.deepEqual(await importAll(gcpServiceAccounts, '[]', { scope: P }), { records: [], scope: P });
  });

  describe('bad input', () => {
    it('an empty list without a scope: the project is unknown', async () => {
      await importFailure(gcpServiceAccounts, '[]\n', { field: 'scope', rule: 'required' });
    });

    it('a keys list instead of accounts', async () => {
      const { before } = await importFailure(gcpServiceAccounts, fixture('gcp/keys.json'), { field: '[0].name', rule: 'not-a-service-account', message: /import this file as gcp-service-account-keys/ });
      assert.deepEqual(before, []);
    });

    it('JSON of another kind: a Kubernetes List, a bare object', async () => {
      await importFailure(gcpServiceAccounts, fixture('kubernetes/list.json'), { field: 'file', rule: 'not-a-list', message: /"items" array/ });
      await importFailure(gcpServiceAccounts, '{"accounts": 3}', { field: 'file', rule: 'not-a-list' });
    });

    it('truncated and empty files', async () => {
      const whole = fixture('gcp/service-accounts.json');
      await importFailure(gcpServiceAccounts, whole.subarray(0, whole.length - 40), { field: 'file', rule: 'truncated' });
      await importFailure(gcpServiceAccounts, '', { field: 'file', rule: 'empty' });
    });

    it('names, types, duplicates and mixed projects', async () => {
      await importFailure(gcpServiceAccounts, JSON.stringify([{ email: 'x' }]), { field: '[0].name', rule: 'required' });
      await importFailure(gcpServiceAccounts, JSON.stringify([one({ name: 'serviceAccounts/a' })]), { field: '[0].name', rule: 'format' });
      await importFailure(gcpServiceAccounts, JSON.stringify([one({ disabled: 'yes' })]), { field: '[0].disabled', rule: 'boolean' });
      await importFailure(gcpServiceAccounts, JSON.stringify([one({ description: 7 })]), { field: '[0].description', rule: 'string' });
      await importFailure(gcpServiceAccounts, JSON.stringify([one(), one()]), { field: '[1]', rule: 'duplicate' });
      const other = one({ name: 'projects/other/serviceAccounts/b@other.iam.gserviceaccount.com', projectId: 'other' });
      await importFailure(gcpServiceAccounts, JSON.stringify([one(), other]), { field: 'scope', rule: 'mixed-projects' });
      // With a scope the feed is named by the caller, so several projects may share it.
      const { records } = await importAll(gcpServiceAccounts, JSON.stringify([one(), other]), { scope: 'all' });
      assert.equal(records.length, 2);
    });
  });
});
