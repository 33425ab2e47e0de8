import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import { gcpServiceAccountKeys } from '../../../src/inventory/importers/gcp-service-account-keys.ts';
import type { InventoryRecord } from '../../../src/inventory/types.ts';
import { fixture, importAll, importFailure } from './importer-kit.ts';

const P = 'acme-payments-prod';
const sa = (email: string) => `projects/${P}/serviceAccounts/${email}`;
const t = Date.parse;
const base = {
  category: 'credential', kind: 'static-key', owner: null, service: null, environment: null, tier: null,
  lastRotatedAt: null, lastUsedAt: null, federated: false,
} as const;
const key = (email: string, keyId: string, over: Partial<InventoryRecord> & { attributes: Record<string, unknown> }): InventoryRecord => ({
  ...base, nativeId: `${sa(email)}/keys/${keyId}`, name: `${email}/${keyId}`, parentId: sa(email), active: true, longLived: true,
  createdAt: null, expiresAt: null, ...over,
  attributes: { keyId, serviceAccountEmail: email, projectId: P, keyAlgorithm: 'KEY_ALG_RSA_2048', keyOrigin: 'GOOGLE_PROVIDED', ...over.attributes },
});
const API = `payments-api@${P}.iam.gserviceaccount.com`;
const EXPORTER = `legacy-exporter@${P}.iam.gserviceaccount.com`;
const COMPUTE = '123456789012-compute@developer.gserviceaccount.com';
const DEPLOYER = `ci-deployer@${P}.iam.gserviceaccount.com`;

const KEYS: InventoryRecord[] = [
  key(API, '3f1c2a9b7e5d4c3b2a1f0e9d8c7b6a5f4e3d2c1b', {
    longLived: false, createdAt: t('2024-06-03T11:20:44Z'), expiresAt: t('2024-06-19T11:20:44Z'),
    attributes: { keyType: 'SYSTEM_MANAGED', managed: 'system' },
  }),
  key(API, '9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b', {
    createdAt: t('2022-01-10T08:15:00Z'), expiresAt: null, // 9999-12-31 means it never expires
    attributes: { keyType: 'USER_MANAGED', managed: 'user' },
  }),
  key(EXPORTER, '0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c', {
    active: false, createdAt: t('2021-03-04T10:00:00Z'), expiresAt: t('2025-01-01T00:00:00Z'),
    attributes: { keyType: 'USER_MANAGED', managed: 'user', keyOrigin: 'USER_PROVIDED' },
  }),
  key(COMPUTE, 'aa11bb22cc33dd44ee55ff66aa77bb88cc99dd00', {
    longLived: false, createdAt: t('2024-06-10T00:00:00Z'), expiresAt: t('2024-06-26T00:00:00Z'),
    attributes: { keyType: 'SYSTEM_MANAGED', managed: 'system' },
  }),
];

const one = (over: Record<string, unknown> = {}) => ({
  keyType: 'USER_MANAGED', name: `${sa(API)}/keys/k1`, validAfterTime: '2024-01-01T00:00:00Z', validBeforeTime: '9999-12-31T23:59:59Z', ...over,
});

describe('gcp-service-account-keys importer', () => {
  it('reads the per-account arrays of the loop into exact records; the project is the scope', async () => {
    const { records, scope } = await importAll(gcpServiceAccountKeys, fixture('gcp/keys.json'));
    assert.deepEqual(records, KEYS);
    assert.equal(scope, P);
  });

  it('gives the same records one byte at a time', async () => {
    assert.deepEqual((await importAll(gcpServiceAccountKeys, fixture('gcp/keys.json'), {}, 1)).records, KEYS);
  });

  it('reads one merged array (jq -s add) the same way', async () => {
    const parsed = (JSON.parse(`[${fixture('gcp/keys.json').toString().trim().replace(/\]\s*\[/g, '],[')}]`) as unknown[][]).flat();
    assert.equal(parsed.length, 4);
    assert.deepEqual((await importAll(gcpServiceAccountKeys, JSON.stringify(parsed))).records, KEYS);
  });

  it('keys-v2: one key changed (disabled), one removed, one added', async () => {
    const v1 = new Map(KEYS.map((r) => [r.nativeId, r]));
    const v2 = new Map((await importAll(gcpServiceAccountKeys, fixture('gcp/keys-v2.json'))).records.map((r) => [r.nativeId, r]));
    assert.deepEqual([...v1.keys()].filter((k) => !v2.has(k)), [KEYS[2]!.nativeId]);
    const added = [...v2.keys()].filter((k) => !v1.has(k));
    assert.deepEqual(added.map((k) => v2.get(k)), [key(DEPLOYER, '5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f', {
      createdAt: t('2024-06-20T14:00:00Z'), expiresAt: t('2025-06-20T14:00:00Z'), attributes: { keyType: 'USER_MANAGED', managed: 'user' },
    })]);
    const changed = [...v1.keys()].filter((k) => v2.has(k) && !isDeepStrictEqual(v1.get(k), v2.get(k)));
    assert.deepEqual(changed, [KEYS[1]!.nativeId]);
    assert.equal(v2.get(KEYS[1]!.nativeId)!.active, false);
  });

  describe('bad input', () => {
    it('a service-accounts list instead of keys', async () => {
      await importFailure(gcpServiceAccountKeys, fixture('gcp/service-accounts.json'), { field: '[0].name', rule: 'format', message: /is a service account, not a key/ });
    });

    it('JSON of another kind: a Kubernetes List, a GitHub secrets response', async () => {
      await importFailure(gcpServiceAccountKeys, fixture('kubernetes/list.json'), { field: 'file', rule: 'not-a-list' });
      await importFailure(gcpServiceAccountKeys, fixture('github/repo-secrets.json'), { field: 'file', rule: 'not-a-list', message: /"secrets" array/ });
      await importFailure(gcpServiceAccountKeys, '[]{"total_count": 0}', { field: 'file', rule: 'not-a-list', message: /document 2 is a JSON object/ });
    });

    it('a truncated second document, an empty file, trailing garbage', async () => {
      const whole = fixture('gcp/keys.json').toString();
      const cut = whole.slice(0, whole.indexOf('legacy-exporter') + 10);
      const { before } = await importFailure(gcpServiceAccountKeys, cut, { field: 'file', rule: 'truncated', message: /document 2/ });
      assert.equal(before.length, 2, 'the first document was read; the import transaction drops it');
      await importFailure(gcpServiceAccountKeys, '  \n', { field: 'file', rule: 'empty' });
      await importFailure(gcpServiceAccountKeys, '[]\nERROR: (gcloud.iam) PERMISSION_DENIED\n', { field: 'file', rule: 'json' });
    });

    it('odd dates, unknown key types, non-boolean disabled', async () => {
      await importFailure(gcpServiceAccountKeys, JSON.stringify([one({ validAfterTime: 'June 3rd 2024' })]), { field: '[0].validAfterTime', rule: 'time' });
      await importFailure(gcpServiceAccountKeys, JSON.stringify([one({ validBeforeTime: '2024-13-01T00:00:00Z' })]), { field: '[0].validBeforeTime', rule: 'time' });
      await importFailure(gcpServiceAccountKeys, JSON.stringify([one({ keyType: 'KEY_TYPE_UNSPECIFIED' })]), { field: '[0].keyType', rule: 'key-type' });
      await importFailure(gcpServiceAccountKeys, JSON.stringify([one({ disabled: 1 })]), { field: '[0].disabled', rule: 'boolean' });
      // An offset is an odd but valid form: it is read exactly.
      const { records } = await importAll(gcpServiceAccountKeys, JSON.stringify([one({ validAfterTime: '2024-01-01T01:30:00+01:30' })]));
      assert.equal(records[0]!.createdAt, t('2024-01-01T00:00:00Z'));
    });

    it('the same key twice (an account listed twice in the loop) and mixed projects', async () => {
      await importFailure(gcpServiceAccountKeys, `${JSON.stringify([one()])}\n${JSON.stringify([one()])}`, { field: '[1]', rule: 'duplicate' });
      const other = one({ name: 'projects/other/serviceAccounts/b@other.iam.gserviceaccount.com/keys/k2' });
      await importFailure(gcpServiceAccountKeys, JSON.stringify([one(), other]), { field: 'scope', rule: 'mixed-projects' });
      await importFailure(gcpServiceAccountKeys, '[]', { field: 'scope', rule: 'required' });
    });
  });
});
