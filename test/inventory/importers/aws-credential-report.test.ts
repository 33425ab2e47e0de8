import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { awsCredentialReport, CREDENTIAL_REPORT_COLUMNS, parseAwsTimestamp } from '../../../src/inventory/importers/aws-credential-report.ts';
import type { ImportOptions, InventoryRecord } from '../../../src/inventory/types.ts';
import { isTesseraError } from '../../../src/shared/errors.ts';

const dir = new URL('../../fixtures/inventory/aws/', import.meta.url);
const fixture = (name: string) => readFileSync(new URL(name, dir));
const NOW = Date.UTC(2024, 5, 1);
const ACCOUNT = '123456789012';
const t = (iso: string) => Date.parse(iso);

async function* chunks(data: Buffer | string, size: number): AsyncGenerator<Buffer> {
  const buf = typeof data === 'string' ? Buffer.from(data) : data;
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

async function importReport(data: Buffer | string, opts: Partial<ImportOptions> = {}, size = 1 << 16) {
  const run = awsCredentialReport.parse(chunks(data, size), { now: NOW, ...opts });
  const records: InventoryRecord[] = [];
  for await (const r of run.records) records.push(r);
  return { records, scope: run.scope() };
}

/** Collects what was yielded before the importer threw, and the error. */
async function failure(data: Buffer | string): Promise<{ seen: InventoryRecord[]; error: unknown }> {
  const seen: InventoryRecord[] = [];
  try {
    for await (const r of awsCredentialReport.parse(chunks(data, 1 << 16), { now: NOW }).records) seen.push(r);
  } catch (error) { return { seen, error }; }
  throw new Error('the import did not fail');
}

const user = (name: string) => `arn:aws:iam::${ACCOUNT}:user/${name}`;
const cred = (kind: 'static-key' | 'certificate', userName: string, arnName: string, n: number, active: boolean, rotated: string,
  lastUsed: string | null, region: string | null = null, service: string | null = null): InventoryRecord => ({
  category: 'credential', kind, nativeId: `${user(arnName)}/${kind === 'static-key' ? 'access-key' : 'cert'}-${n}`,
  name: `${userName} ${kind === 'static-key' ? 'access key' : 'signing certificate'} ${n}`, parentId: user(arnName),
  owner: null, service: null, environment: null, tier: null,
  createdAt: t(rotated), lastRotatedAt: t(rotated), lastUsedAt: lastUsed === null ? null : t(lastUsed), expiresAt: null,
  active, longLived: true, federated: false,
  attributes: kind === 'static-key' ? { user: userName, lastUsedRegion: region, lastUsedService: service } : { user: userName },
});

const ROOT: InventoryRecord = {
  category: 'identity', kind: 'user', nativeId: `arn:aws:iam::${ACCOUNT}:root`, name: '<root_account>', parentId: null,
  owner: null, service: null, environment: null, tier: null,
  createdAt: t('2019-03-01T09:00:00Z'), lastRotatedAt: null, lastUsedAt: t('2024-05-20T08:12:45Z'), expiresAt: null,
  active: true, longLived: false, federated: false, attributes: { root: true, mfaActive: true },
};

const V1: InventoryRecord[] = [
  ROOT,
  cred('static-key', 'ci-deployer', 'ci-deployer', 1, true, '2024-04-01T10:00:00Z', '2024-05-30T17:45:00Z', 'us-east-1', 's3'),
  cred('static-key', 'legacy-backup', 'legacy-backup', 1, true, '2020-07-15T09:30:00Z', '2022-11-03T02:00:00Z', 'us-west-2', 's3'),
  cred('static-key', 'legacy-backup', 'legacy-backup', 2, false, '2019-01-10T11:00:00Z', null),
  cred('static-key', 'etl-service', 'etl-service', 1, true, '2023-01-15T16:00:00Z', '2024-05-31T23:10:00Z', 'eu-west-1', 'dynamodb'),
  cred('static-key', 'etl-service', 'etl-service', 2, true, '2024-05-28T09:00:00Z', null),
  cred('static-key', 'old-operator', 'old-operator', 1, true, '2014-02-01T10:00:00Z', null),
  cred('certificate', 'iot-gateway', 'iot-gateway', 1, true, '2023-09-01T08:05:00Z', null),
  cred('static-key', 'ops,bot', 'ops,bot', 1, true, '2024-02-02T12:00:00Z', '2024-05-01T06:30:00Z', 'us-east-1', 'ec2'),
  cred('static-key', 'payments-api', 'service/payments-api', 1, true, '2023-11-20T10:01:00Z', '2024-05-31T12:00:00Z', 'us-east-1', 'secretsmanager'),
  cred('certificate', 'payments-api', 'service/payments-api', 1, false, '2023-11-21T09:00:00Z', null),
];

const HEADER = CREDENTIAL_REPORT_COLUMNS.join(',');
const NA_ROW = (name: string, arn = user(name)) => `${name},${arn},2024-01-01T00:00:00+00:00,false,N/A,N/A,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A`;
/** A one-key row with `value` in access_key_1_last_rotated. */
const keyRow = (name: string, rotated: string) => `${name},${user(name)},2024-01-01T00:00:00+00:00,false,N/A,N/A,N/A,false,true,${rotated},N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A`;

describe('awsCredentialReport', () => {
  it('documents the command that produces the report', () => {
    assert.equal(awsCredentialReport.source, 'aws-credential-report');
    assert.match(awsCredentialReport.producedBy, /aws iam get-credential-report --query Content --output text \| base64 -d/);
  });

  it('emits the root user and every existing key and certificate of the fixture, exactly', async () => {
    const { records, scope } = await importReport(fixture('credential-report.csv'));
    assert.deepEqual(records, V1);
    assert.equal(scope, ACCOUNT);
  });

  it('reads the fixture the same in 1-byte chunks, with CRLF line ends, and with columns reordered', async () => {
    assert.deepEqual((await importReport(fixture('credential-report.csv'), {}, 1)).records, V1);
    assert.deepEqual((await importReport(fixture('credential-report.csv').toString().replace(/\n/g, '\r\n'))).records, V1);
    // Columns are found by name: swap two columns and add one AWS may introduce later.
    const lines = fixture('credential-report.csv').toString().split('\n').map((l, i) => {
      const cells = l.startsWith('"ops,bot"') ? ['"ops,bot"', '"arn:aws:iam::123456789012:user/ops,bot"', ...l.split(',').slice(4)] : l.split(',');
      [cells[0], cells[1]] = [cells[1]!, cells[0]!];
      return [...cells, i === 0 ? 'some_future_column' : 'x'].join(',');
    });
    assert.deepEqual((await importReport(lines.join('\n'))).records, V1);
  });

  it('uses the scope it is given instead of the account in the ARNs', async () => {
    assert.equal((await importReport(fixture('credential-report.csv'), { scope: 'prod-account' })).scope, 'prod-account');
  });

  it('shows a rotated key, a removed user and an added user in the newer export', async () => {
    const v2 = (await importReport(fixture('credential-report-v2.csv'))).records;
    const byId = (rs: InventoryRecord[]) => new Map(rs.map((r) => [r.nativeId, r]));
    const before = byId(V1), after = byId(v2);
    const rotated = user('ci-deployer/access-key-1');
    assert.deepEqual(after.get(rotated), { ...before.get(rotated)!, createdAt: t('2024-06-10T08:00:00Z'), lastRotatedAt: t('2024-06-10T08:00:00Z'), lastUsedAt: t('2024-06-12T09:15:00Z') });
    assert.deepEqual([...before.keys()].filter((k) => !after.has(k)), [user('old-operator/access-key-1')]);
    assert.deepEqual([...after.keys()].filter((k) => !before.has(k)), [user('reporting-job/access-key-1')]);
    assert.deepEqual(after.get(user('reporting-job/access-key-1')), cred('static-key', 'reporting-job', 'reporting-job', 1, true, '2024-06-11T07:05:00Z', null));
    for (const [id, r] of before) if (id !== rotated && after.has(id)) assert.deepEqual(after.get(id), r, id);
  });

  it('names every missing column and reads no row', async () => {
    const { seen, error } = await failure(fixture('credential-report-missing-columns.csv'));
    assert.ok(isTesseraError(error, 'ERR_INVALID_INPUT'));
    assert.deepEqual(error.details, { field: 'columns', rule: 'missing-columns', missing: ['mfa_active', 'access_key_2_last_used_region', 'cert_2_active'] });
    assert.match(error.message, /missing columns: mfa_active, access_key_2_last_used_region, cert_2_active/);
    assert.deepEqual(seen, []);
  });

  it('says how to decode a report that is still base64 or still the JSON response', async () => {
    const b64 = await failure(`${Buffer.from(`${HEADER}\n`).toString('base64')}\n`);
    assert.ok(isTesseraError(b64.error) && b64.error.details?.rule === 'missing-columns');
    assert.match(b64.error.message, /base64 -d/);
    for (const size of [1, 100]) {
      const json = awsCredentialReport.parse(chunks('\ufeff \n{"Content": "dXNlcixhcm4K", "ReportFormat": "text/csv"}\n', size), { now: NOW });
      await assert.rejects(async () => { for await (const _ of json.records) assert.fail('no record expected'); },
        (e) => isTesseraError(e, 'ERR_INVALID_INPUT') && e.details?.rule === 'kind' && /--query Content/.test(e.message));
    }
  });

  it('refuses a truncated report after the complete rows, naming the broken row', async () => {
    const { seen, error } = await failure(fixture('credential-report-truncated.csv'));
    assert.ok(isTesseraError(error, 'ERR_INVALID_INPUT'));
    assert.deepEqual(error.details, { field: 'file', rule: 'truncated', row: 3, line: 4 });
    assert.match(error.message, /row 3 \(line 4\).*truncated/);
    // The complete rows streamed out first; the caller's transaction is what keeps them out of the store.
    assert.deepEqual(seen, V1.slice(0, 2));
  });

  it('refuses a report cut inside a quoted field', async () => {
    const { error } = await failure(`${HEADER}\n"ops,b`);
    assert.ok(isTesseraError(error, 'ERR_INVALID_INPUT') && error.details?.rule === 'truncated');
  });

  it('refuses a row with the wrong number of columns in the middle of the file', async () => {
    const { error } = await failure(`${HEADER}\n${NA_ROW('a')},extra\n${NA_ROW('b')}`);
    assert.ok(isTesseraError(error, 'ERR_INVALID_INPUT'));
    assert.deepEqual(error.details, { field: 'columns', rule: 'row-length', row: 1, line: 2 });
  });

  it('parses dates in odd but valid ISO 8601 shapes', async () => {
    const cases: [string, number][] = [
      ['2024-05-01T10:00:00+00:00', Date.UTC(2024, 4, 1, 10)],
      ['2024-05-01T10:00:00Z', Date.UTC(2024, 4, 1, 10)],
      ['2024-05-01t10:00:00z', Date.UTC(2024, 4, 1, 10)],
      ['2024-05-01 10:00:00+00:00', Date.UTC(2024, 4, 1, 10)],
      ['2024-05-01T10:00:00.123Z', Date.UTC(2024, 4, 1, 10, 0, 0, 123)],
      ['2024-05-01T10:00:00,5+00:00', Date.UTC(2024, 4, 1, 10, 0, 0, 500)],
      ['2024-05-01T12:30:00+02:30', Date.UTC(2024, 4, 1, 10)],
      ['2024-05-01T05:00:00-0500', Date.UTC(2024, 4, 1, 10)],
      ['2024-05-01T10:00Z', Date.UTC(2024, 4, 1, 10)],
      ['2024-05-01T10:00:00', Date.UTC(2024, 4, 1, 10)],
      ['20240501T100000Z', Date.UTC(2024, 4, 1, 10)],
      ['2024-05-01', Date.UTC(2024, 4, 1)],
      ['2024-02-29T00:00:00+00:00', Date.UTC(2024, 1, 29)],
    ];
    for (const [text, want] of cases) {
      const { records } = await importReport(`${HEADER}\n${keyRow('k', `"${text}"`)}\n`); // quoted: "10:00:00,5" has a comma
      assert.equal(records[0]!.lastRotatedAt, want, text);
    }
  });

  it('refuses a garbage date naming the row and the column', async () => {
    for (const bad of ['yesterday', '2024-13-01T00:00:00+00:00', '2023-02-29T00:00:00+00:00', '2024-05-01T24:00:00Z', '05/01/2024', '2024-05-01T10:00:00+25:00', '1714557600']) {
      const { seen, error } = await failure(`${HEADER}\n${NA_ROW('a')}\n${keyRow('k', bad)}\n`);
      assert.ok(isTesseraError(error, 'ERR_INVALID_INPUT'), bad);
      assert.deepEqual(error.details, { field: 'access_key_1_last_rotated', rule: 'date', row: 2, line: 3 }, bad);
      assert.match(error.message, /row 2 \(line 3\).*column access_key_1_last_rotated/);
      assert.deepEqual(seen, []);
    }
  });

  it('refuses a value that is not true or false in a boolean column', async () => {
    const { error } = await failure(`${HEADER}\n${keyRow('k', 'N/A').replace(',false,true,', ',false,yes,')}\n`);
    assert.ok(isTesseraError(error, 'ERR_INVALID_INPUT'));
    assert.equal(error.details?.field, 'access_key_1_active');
    assert.equal(error.details?.rule, 'boolean');
  });

  it('refuses the same user twice', async () => {
    const { error } = await failure(`${HEADER}\n${NA_ROW('a')}\n${NA_ROW('b')}\n${NA_ROW('a')}\n`);
    assert.ok(isTesseraError(error, 'ERR_INVALID_INPUT'));
    assert.deepEqual(error.details, { field: 'user', rule: 'duplicate', row: 3, line: 4 });
  });

  it('refuses rows of another account, a bad ARN, and a root row that is not the root ARN', async () => {
    const other = await failure(`${HEADER}\n${NA_ROW('a')}\n${NA_ROW('b', 'arn:aws:iam::999999999999:user/b')}\n`);
    assert.ok(isTesseraError(other.error) && other.error.details?.rule === 'account');
    const badArn = await failure(`${HEADER}\n${NA_ROW('a', 'arn:aws:s3:::bucket')}\n`);
    assert.ok(isTesseraError(badArn.error) && badArn.error.details?.field === 'arn' && badArn.error.details?.rule === 'arn');
    const fakeRoot = await failure(`${HEADER}\n${NA_ROW('<root_account>')}\n`);
    assert.ok(isTesseraError(fakeRoot.error) && fakeRoot.error.details?.rule === 'root');
  });

  it('refuses an empty file; a header alone imports nothing and needs the scope given', async () => {
    const empty = await failure('');
    assert.ok(isTesseraError(empty.error) && empty.error.details?.rule === 'empty');
    const run = awsCredentialReport.parse(chunks(`${HEADER}\n`, 100), { now: NOW });
    const seen: InventoryRecord[] = [];
    for await (const r of run.records) seen.push(r);
    assert.deepEqual(seen, []);
    assert.throws(() => run.scope(), (e) => isTesseraError(e, 'ERR_INVALID_INPUT') && e.details?.field === 'scope');
    assert.equal((await importReport(`${HEADER}\n`, { scope: ACCOUNT })).scope, ACCOUNT);
  });

  it('parseAwsTimestamp returns undefined for non-dates', () => {
    assert.equal(parseAwsTimestamp('N/A'), undefined);
    assert.equal(parseAwsTimestamp(''), undefined);
    assert.equal(parseAwsTimestamp('2024-04-31'), undefined);
  });
});
