import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { vaultKvMetadata } from '../../../src/inventory/importers/vault-kv-metadata.ts';
import type { InventoryRecord } from '../../../src/inventory/types.ts';
import { fixture, importAll, importFailure } from './importer-kit.ts';

const t = Date.parse;
const secret = (key: string, over: Partial<InventoryRecord>): InventoryRecord => ({
  category: 'credential', kind: 'secret', nativeId: `vault://vault/${key}`, name: key, parentId: null,
  owner: null, service: null, environment: null, tier: null, createdAt: null, lastRotatedAt: null, lastUsedAt: null, expiresAt: null,
  active: true, longLived: true, federated: false, ...over,
});

// The fixture is read at 2024-07-01T00:00:00Z (importer-kit's `now`).
const SECRETS: InventoryRecord[] = [
  secret('kv/shared/placeholder', {
    owner: 'team-platform', createdAt: t('2024-06-30T09:00:00.500Z'), lastRotatedAt: t('2024-06-30T09:00:00.500Z'), active: false,
    attributes: { mount: 'kv', path: 'shared/placeholder', currentVersion: 0, state: 'empty', versions: 0, customMetadata: { owner: 'team-platform' } },
  }),
  secret('secret/batch/s3-keys', {
    owner: 'data-eng', environment: 'prod', createdAt: t('2024-06-20T10:00:00Z'), lastRotatedAt: t('2024-06-20T10:00:00Z'),
    expiresAt: t('2024-07-20T10:00:00Z'), active: true,
    attributes: {
      mount: 'secret', path: 'batch/s3-keys', currentVersion: 1, state: 'current', versions: 1, deleteVersionAfter: '720h0m0s',
      customMetadata: { Owner: 'data-eng', Env: 'prod' },
    },
  }),
  secret('secret/ci/npm-token', {
    owner: 'platform', createdAt: t('2023-01-15T08:00:00.123Z'), lastRotatedAt: t('2023-01-15T08:00:00.123Z'), active: false,
    attributes: { mount: 'secret', path: 'ci/npm-token', currentVersion: 1, state: 'deleted', versions: 1, customMetadata: { team: 'platform' } },
  }),
  secret('secret/legacy/ftp-password', {
    createdAt: t('2018-03-22T02:24:06.945Z'), lastRotatedAt: t('2019-07-01T10:00:00.500Z'), active: false,
    attributes: { mount: 'secret', path: 'legacy/ftp-password', currentVersion: 2, state: 'destroyed', versions: 2 },
  }),
  secret('secret/payments/db', {
    owner: 'team-payments', service: 'payments-api', environment: 'prod', tier: '1',
    createdAt: t('2022-05-10T14:00:00.250Z'), lastRotatedAt: t('2024-04-02T09:30:00.750Z'), active: true,
    attributes: {
      mount: 'secret', path: 'payments/db', currentVersion: 3, state: 'current', versions: 3, maxVersions: 5,
      customMetadata: { owner: 'team-payments', service: 'payments-api', environment: 'prod', tier: '1' },
    },
  }),
];

const meta = (data: Record<string, unknown>) => ({ request_id: 'r', data: { created_time: '2024-01-01T00:00:00Z', updated_time: '2024-01-01T00:00:00Z', current_version: 1, versions: { 1: { created_time: '2024-01-01T00:00:00Z', deletion_time: '', destroyed: false } }, ...data } });

describe('vault-kv-metadata importer', () => {
  it('reads the path-keyed file into exact records', async () => {
    const { records, scope } = await importAll(vaultKvMetadata, fixture('vault/metadata.json'));
    assert.deepEqual(records, SECRETS);
    assert.equal(scope, 'vault');
  });

  it('gives the same records one byte at a time, under the scope given', async () => {
    const { records, scope } = await importAll(vaultKvMetadata, fixture('vault/metadata.json'), { scope: 'vault-eu' }, 1);
    assert.equal(scope, 'vault-eu');
    assert.deepEqual(records, SECRETS.map((r) => ({ ...r, nativeId: r.nativeId.replace('vault://vault/', 'vault://vault-eu/') })));
  });

  it('an empty object (mounts with no secrets) is an empty export', async () => {
    assert.deepEqual((await importAll(vaultKvMetadata, '{}\n')).records, []);
  });

  it('a deletion that is due later keeps the secret active until then', async () => {
    const { records } = await importAll(vaultKvMetadata, fixture('vault/metadata.json'), { now: t('2024-07-21T00:00:00Z') });
    const s3 = records.find((r) => r.name === 'secret/batch/s3-keys')!;
    assert.deepEqual([s3.active, s3.attributes?.state], [false, 'deleted']);
  });

  describe('bad input', () => {
    it('a single metadata get output that was not wrapped by path', async () => {
      const single = JSON.stringify(meta({}), null, 2);
      await importFailure(vaultKvMetadata, single, { field: 'file', rule: 'member-not-object', message: /single `vault kv metadata get` output/ });
    });

    it('JSON of another kind: a Kubernetes List, a gcloud array, a kv list output', async () => {
      await importFailure(vaultKvMetadata, fixture('kubernetes/list.json'), { field: 'file', rule: 'member-not-object', message: /not a `vault kv metadata get -format=json` output/ });
      await importFailure(vaultKvMetadata, fixture('gcp/service-accounts.json'), { field: 'file', rule: 'json', message: /JSON array, not an object keyed by path/ });
      await importFailure(vaultKvMetadata, JSON.stringify({ 'secret/a': { data: { keys: ['b', 'c/'] } } }), { field: '["secret/a"].data', rule: 'kv-list' });
      await importFailure(vaultKvMetadata, JSON.stringify({ 'secret/a': { request_id: 'r' } }), { field: '["secret/a"].data', rule: 'required' });
    });

    it('truncated, empty, trailing data', async () => {
      const whole = fixture('vault/metadata.json');
      const { before } = await importFailure(vaultKvMetadata, whole.subarray(0, whole.length - 10), { field: 'file', rule: 'truncated' });
      assert.equal(before.length, 4, 'the complete members were read; the import transaction drops them');
      await importFailure(vaultKvMetadata, '', { field: 'file', rule: 'empty' });
      await importFailure(vaultKvMetadata, '{} {}', { field: 'file', rule: 'json' });
      await importFailure(vaultKvMetadata, `{"secret/a": ${JSON.stringify(meta({}))},}`, { field: 'file', rule: 'json' });
    });

    it('keys that are not secret paths, duplicates', async () => {
      await importFailure(vaultKvMetadata, JSON.stringify({ db: meta({}) }), { field: '["db"]', rule: 'path' });
      await importFailure(vaultKvMetadata, JSON.stringify({ 'secret/folder/': meta({}) }), { field: '["secret/folder/"]', rule: 'path' });
      const twice = `{"secret/a": ${JSON.stringify(meta({}))}, "secret/a": ${JSON.stringify(meta({}))}}`;
      await importFailure(vaultKvMetadata, twice, { field: '["secret/a"]', rule: 'duplicate' });
    });

    it('odd dates and malformed metadata fields', async () => {
      await importFailure(vaultKvMetadata, JSON.stringify({ 'secret/a': meta({ updated_time: '2024-01-01T00:00:00 PST' }) }), { field: '["secret/a"].data.updated_time', rule: 'time' });
      const badDeletion = meta({ versions: { 1: { created_time: '2024-01-01T00:00:00Z', deletion_time: 'soon', destroyed: false } } });
      await importFailure(vaultKvMetadata, JSON.stringify({ 'secret/a': badDeletion }), { field: '["secret/a"].data.versions["1"].deletion_time', rule: 'time' });
      await importFailure(vaultKvMetadata, JSON.stringify({ 'secret/a': meta({ current_version: '1' }) }), { field: '["secret/a"].data.current_version', rule: 'required' });
      await importFailure(vaultKvMetadata, JSON.stringify({ 'secret/a': meta({ versions: [] }) }), { field: '["secret/a"].data.versions', rule: 'required' });
      await importFailure(vaultKvMetadata, JSON.stringify({ 'secret/a': meta({ custom_metadata: { tier: 1 } }) }), { field: '["secret/a"].data.custom_metadata', rule: 'string-map' });
      // Go's zero time means "never", like the empty string.
      const zero = meta({ versions: { 1: { created_time: '2024-01-01T00:00:00Z', deletion_time: '0001-01-01T00:00:00Z', destroyed: false } } });
      const { records } = await importAll(vaultKvMetadata, JSON.stringify({ 'secret/a': zero }));
      assert.deepEqual([records[0]!.active, records[0]!.expiresAt], [true, null]);
    });
  });
});
