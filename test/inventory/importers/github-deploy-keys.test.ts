import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { githubDeployKeys } from '../../../src/inventory/importers/github-deploy-keys.ts';
import type { InventoryRecord } from '../../../src/inventory/types.ts';
import { chunks, fixture, importAll, importFailure } from './importer-kit.ts';

const t = Date.parse;
const REPO = 'github://acme/payments';
const base = {
  category: 'credential', kind: 'static-key', parentId: null, owner: null, service: null, environment: null, tier: null,
  lastRotatedAt: null, expiresAt: null, longLived: true, federated: false,
} as const;

// Fingerprints as `ssh-keygen -lf` printed them for the fixture's public keys.
const KEYS: InventoryRecord[] = [
  {
    ...base, nativeId: `${REPO}/keys/1234501`, name: 'argocd (read-only)', createdAt: t('2022-02-14T10:00:00Z'), lastUsedAt: t('2024-06-28T06:12:40Z'), active: true,
    privileges: [{ action: 'read', resource: REPO, wildcard: false, sensitive: false }],
    attributes: { id: 1234501, readOnly: true, verified: true, addedBy: 'platform-bot', fingerprint: 'SHA256:Ald6twYTfb2nNQsW3Dp6NrsbN/gZxMwL3xxRAkc3nBo' },
  },
  {
    ...base, nativeId: `${REPO}/keys/1234502`, name: 'release pipeline', createdAt: t('2019-11-05T16:20:00Z'), lastUsedAt: null, active: true,
    privileges: [{ action: 'write', resource: REPO, wildcard: false, sensitive: true }],
    attributes: { id: 1234502, readOnly: false, verified: true, addedBy: 'octocat', fingerprint: 'SHA256:33qY+TNDMFgXe7XhJI1LBRtSPPE6k30XNsDQKqWiLns' },
  },
  {
    ...base, nativeId: `${REPO}/keys/1234503`, name: 'deploy key 1234503', createdAt: t('2018-03-01T00:00:00Z'), lastUsedAt: null, active: false,
    privileges: [{ action: 'write', resource: REPO, wildcard: false, sensitive: true }],
    attributes: { id: 1234503, readOnly: false, verified: false, fingerprint: 'SHA256:CmSq9TlrxzTzDjfiKBTK+qE0i00DmU1sdstgJIHROtY' },
  },
];

describe('github-deploy-keys importer', () => {
  it('reads the fixture into exact records; the public key itself is not kept', async () => {
    const { records, scope } = await importAll(githubDeployKeys, fixture('github/deploy-keys.json'), { scope: 'acme/payments' });
    assert.deepEqual(records, KEYS);
    assert.equal(scope, 'acme/payments');
    assert.ok(!JSON.stringify(records).includes('AAAAC3NzaC1lZDI1NTE5'), 'no key material in the records');
  });

  it('reads several pages one after another, one byte at a time', async () => {
    const text = fixture('github/deploy-keys.json').toString();
    const items = JSON.parse(text) as unknown[];
    const pages = `${JSON.stringify(items.slice(0, 2), null, 2)}\n${JSON.stringify(items.slice(2), null, 2)}\n`;
    const run = githubDeployKeys.parse(chunks(pages, 1), { scope: 'acme/payments', now: 0 });
    const out: InventoryRecord[] = [];
    for await (const r of run.records) out.push(r);
    assert.deepEqual(out, KEYS);
  });

  describe('bad input', () => {
    it('the scope is required and must be OWNER/REPO', async () => {
      await importFailure(githubDeployKeys, fixture('github/deploy-keys.json'), { field: 'scope', rule: 'required', message: /OWNER\/REPO/ });
      await importFailure(githubDeployKeys, fixture('github/deploy-keys.json'), { field: 'scope', rule: 'format' }, { scope: 'acme' });
    });

    it('JSON of another kind: a secrets response, a gcloud keys list', async () => {
      await importFailure(githubDeployKeys, fixture('github/repo-secrets.json'), { field: 'file', rule: 'not-deploy-keys', message: /"secrets" array/ }, { scope: 'acme/payments' });
      await importFailure(githubDeployKeys, fixture('gcp/keys.json'), { field: '[0].id', rule: 'required' }, { scope: 'acme/payments' });
      await importFailure(githubDeployKeys, '{"message": "Bad credentials"}', { field: 'file', rule: 'not-deploy-keys' }, { scope: 'acme/payments' });
    });

    it('truncated and empty files', async () => {
      const whole = fixture('github/deploy-keys.json');
      await importFailure(githubDeployKeys, whole.subarray(0, whole.length - 3), { field: 'file', rule: 'truncated' }, { scope: 'acme/payments' });
      await importFailure(githubDeployKeys, '\n', { field: 'file', rule: 'empty' }, { scope: 'acme/payments' });
    });

    it('odd dates, missing read_only, non-boolean enabled, duplicates', async () => {
      const one = (k: Record<string, unknown>) => JSON.stringify([{ id: 7, read_only: true, created_at: '2024-01-01T00:00:00Z', ...k }]);
      await importFailure(githubDeployKeys, one({ created_at: 'yesterday' }), { field: '[0].created_at', rule: 'time' }, { scope: 'a/b' });
      await importFailure(githubDeployKeys, one({ last_used: '2024-01-01T25:00:00Z' }), { field: '[0].last_used', rule: 'time' }, { scope: 'a/b' });
      await importFailure(githubDeployKeys, one({ read_only: undefined }), { field: '[0].read_only', rule: 'boolean' }, { scope: 'a/b' });
      await importFailure(githubDeployKeys, one({ enabled: 'no' }), { field: '[0].enabled', rule: 'boolean' }, { scope: 'a/b' });
      await importFailure(githubDeployKeys, one({ id: '7' }), { field: '[0].id', rule: 'required' }, { scope: 'a/b' });
      await importFailure(githubDeployKeys, `${one({})}${one({})}`, { field: '[1]', rule: 'duplicate' }, { scope: 'a/b' });
    });
  });
});
