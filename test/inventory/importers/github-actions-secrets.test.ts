import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { githubActionsSecrets } from '../../../src/inventory/importers/github-actions-secrets.ts';
import type { InventoryRecord } from '../../../src/inventory/types.ts';
import { fixture, importAll, importFailure } from './importer-kit.ts';

const t = Date.parse;
const secret = (scope: string, name: string, created: string, updated: string, attributes: Record<string, unknown>): InventoryRecord => ({
  category: 'credential', kind: 'secret', nativeId: `github://${scope}/actions/secrets/${name}`, name, parentId: null,
  owner: null, service: null, environment: null, tier: null,
  createdAt: t(created), lastRotatedAt: t(updated), lastUsedAt: null, expiresAt: null,
  active: true, longLived: true, federated: false, attributes,
});
const repo = { level: 'repository' };

const REPO: InventoryRecord[] = [
  secret('acme/payments', 'AWS_SECRET_ACCESS_KEY', '2020-01-10T10:59:22Z', '2020-01-11T11:59:22Z', repo),
  secret('acme/payments', 'GH_TOKEN', '2019-08-10T14:59:22Z', '2023-04-12T07:01:09Z', repo),
  secret('acme/payments', 'NPM_TOKEN', '2023-05-01T09:00:00Z', '2023-05-01T09:00:00Z', repo),
];

describe('github-actions-secrets importer', () => {
  it('reads repository secrets into exact records', async () => {
    const { records, scope } = await importAll(githubActionsSecrets, fixture('github/repo-secrets.json'), { scope: 'acme/payments' });
    assert.deepEqual(records, REPO);
    assert.equal(scope, 'acme/payments');
  });

  it('reads the pages gh api --paginate prints one after another, also one byte at a time', async () => {
    assert.deepEqual((await importAll(githubActionsSecrets, fixture('github/repo-secrets-pages.json'), { scope: 'acme/payments' })).records, REPO);
    assert.deepEqual((await importAll(githubActionsSecrets, fixture('github/repo-secrets-pages.json'), { scope: 'acme/payments' }, 1)).records, REPO);
  });

  it('reads organization secrets with their visibility', async () => {
    const { records } = await importAll(githubActionsSecrets, fixture('github/org-secrets.json'), { scope: 'acme' });
    const org = (visibility: string, extra: Record<string, unknown> = {}) => ({ level: 'organization', visibility, ...extra });
    assert.deepEqual(records, [
      secret('acme', 'DEPLOY_SSH_KEY', '2021-02-01T12:00:00Z', '2021-02-01T12:00:00Z',
        org('selected', { selectedRepositoriesUrl: 'https://api.github.com/orgs/acme/actions/secrets/DEPLOY_SSH_KEY/repositories' })),
      secret('acme', 'SLACK_WEBHOOK_URL', '2022-06-30T23:10:00Z', '2024-03-15T08:45:12Z', org('all')),
      secret('acme', 'SONAR_TOKEN', '2023-09-09T09:09:09Z', '2023-09-09T09:09:09Z', org('private')),
    ]);
  });

  it('an answer without secrets is an empty, valid export', async () => {
    assert.deepEqual((await importAll(githubActionsSecrets, '{"total_count": 0, "secrets": []}', { scope: 'acme/empty' })).records, []);
  });

  describe('bad input', () => {
    it('the scope is required and must be OWNER/REPO or ORG', async () => {
      await importFailure(githubActionsSecrets, fixture('github/repo-secrets.json'), { field: 'scope', rule: 'required', message: /give OWNER\/REPO or ORG/ });
      await importFailure(githubActionsSecrets, fixture('github/repo-secrets.json'), { field: 'scope', rule: 'required' }, { scope: '  ' });
      await importFailure(githubActionsSecrets, fixture('github/repo-secrets.json'), { field: 'scope', rule: 'format' }, { scope: 'https://github.com/acme/payments' });
    });

    it('a missing page: fewer secrets than total_count', async () => {
      const firstPage = fixture('github/repo-secrets-pages.json').toString().split(/\n(?=\{)/)[0]!;
      await importFailure(githubActionsSecrets, firstPage, { field: 'file', rule: 'incomplete', message: /lists 2 of 3 secrets/ }, { scope: 'acme/payments' });
    });

    it('JSON of another kind: deploy keys, a Kubernetes List, an object without total_count', async () => {
      await importFailure(githubActionsSecrets, fixture('github/deploy-keys.json'), { field: 'file', rule: 'not-secrets', message: /a JSON array/ }, { scope: 'acme/payments' });
      await importFailure(githubActionsSecrets, fixture('kubernetes/list.json'), { field: 'file', rule: 'not-secrets', message: /not a GitHub Actions secrets response/ }, { scope: 'acme/payments' });
      await importFailure(githubActionsSecrets, '{"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}', { field: 'file', rule: 'not-secrets' }, { scope: 'acme/payments' });
    });

    it('truncated and empty files', async () => {
      const whole = fixture('github/repo-secrets.json');
      await importFailure(githubActionsSecrets, whole.subarray(0, 120), { field: 'file', rule: 'truncated' }, { scope: 'acme/payments' });
      await importFailure(githubActionsSecrets, '', { field: 'file', rule: 'empty' }, { scope: 'acme/payments' });
    });

    it('odd dates, missing names, duplicates', async () => {
      const one = (s: Record<string, unknown>) => JSON.stringify({ total_count: 1, secrets: [s] });
      await importFailure(githubActionsSecrets, one({ name: 'A', created_at: '2020-01-10', updated_at: '10/01/2020' }), { field: 'secrets[0].updated_at', rule: 'time' }, { scope: 'acme' });
      await importFailure(githubActionsSecrets, one({ created_at: '2020-01-10T00:00:00Z' }), { field: 'secrets[0].name', rule: 'required' }, { scope: 'acme' });
      const twice = JSON.stringify({ total_count: 2, secrets: [{ name: 'A' }, { name: 'A' }] });
      await importFailure(githubActionsSecrets, twice, { field: 'secrets[1]', rule: 'duplicate' }, { scope: 'acme' });
      // A date without a time is an odd but valid form: midnight UTC.
      const { records } = await importAll(githubActionsSecrets, one({ name: 'A', created_at: '2020-01-10', updated_at: null }), { scope: 'acme' });
      assert.deepEqual([records[0]!.createdAt, records[0]!.lastRotatedAt], [t('2020-01-10T00:00:00Z'), null]);
    });
  });
});
