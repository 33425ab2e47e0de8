import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { awsAuthorizationDetails } from '../../../src/inventory/importers/aws-authorization-details.ts';
import { ownershipFromTags } from '../../../src/inventory/importers/ownership-from-tags.ts';
import type { ImportOptions, InventoryRecord, Privilege } from '../../../src/inventory/types.ts';
import { isTesseraError } from '../../../src/shared/errors.ts';

const dir = new URL('../../fixtures/inventory/aws/', import.meta.url);
const fixture = (name: string) => readFileSync(new URL(name, dir));
const NOW = Date.UTC(2024, 5, 1);
const ACCOUNT = '123456789012';
const t = (iso: string) => Date.parse(iso);
const arn = (rest: string) => `arn:aws:iam::${ACCOUNT}:${rest}`;

async function* chunks(data: Buffer | string, size: number): AsyncGenerator<Buffer> {
  const buf = typeof data === 'string' ? Buffer.from(data) : data;
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

async function importDetails(data: Buffer | string | object, opts: Partial<ImportOptions> = {}, size = 1 << 16) {
  const text = Buffer.isBuffer(data) || typeof data === 'string' ? data : JSON.stringify(data);
  const run = awsAuthorizationDetails.parse(chunks(text, size), { now: NOW, ...opts });
  const records: InventoryRecord[] = [];
  for await (const r of run.records) records.push(r);
  return { records, scope: run.scope() };
}

/** Collects what was yielded before the importer threw, and the error. */
async function failure(data: Buffer | string | object): Promise<{ seen: InventoryRecord[]; error: unknown }> {
  const text = Buffer.isBuffer(data) || typeof data === 'string' ? data : JSON.stringify(data);
  const seen: InventoryRecord[] = [];
  try {
    for await (const r of awsAuthorizationDetails.parse(chunks(text, 4096), { now: NOW }).records) seen.push(r);
  } catch (error) { return { seen, error }; }
  throw new Error('the import did not fail');
}

const p = (action: string, resource: string, wildcard: boolean, sensitive: boolean): Privilege => ({ action, resource, wildcard, sensitive });
const ADMIN = arn('').replace(`${ACCOUNT}:`, 'aws:') + 'policy/AdministratorAccess';
const DEPLOY = arn('policy/DeployPipeline');
const DEPLOY_PRIVILEGES = [p('cloudformation:*', '*', true, true), p('iam:PassRole', arn('role/app-*'), false, true)];

function ident(kind: 'user' | 'group' | 'role', path: string, name: string, created: string, fields: Partial<InventoryRecord>, attributes: Record<string, unknown>): InventoryRecord {
  return {
    category: 'identity', kind, nativeId: arn(path), name, parentId: null, owner: null, service: null, environment: null, tier: null,
    createdAt: t(created), lastRotatedAt: null, lastUsedAt: null, expiresAt: null, active: true, longLived: false, federated: false,
    privileges: [], edges: [], ...fields, attributes: { path: '/', tags: {}, inlinePolicies: [], managedPolicies: [], ...attributes },
  };
}
const memberOf = (user: string, group: string) => ({ from: arn(`user/${user}`), to: arn(`group/${group}`), relation: 'member-of' as const });
const own = (owner: string | null, service: string | null, environment: string | null, tier: string | null) => ({ owner, service, environment, tier });

const GH = 'role/github-actions-deploy';
const OIDC = arn('oidc-provider/token.actions.githubusercontent.com');
const ETL_READER = (secretResource: string, wildcard: boolean) => ident('role', 'role/etl-reader', 'etl-reader', '2021-03-01T10:00:00Z', {
  ...own('data', 'etl', 'prod', '2'), lastUsedAt: t('2024-05-31T23:15:00Z'),
  privileges: [p('secretsmanager:GetSecretValue', secretResource, wildcard, true),
    p('kms:Decrypt', 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab', false, true)],
  edges: [{ from: arn('user/etl-service'), to: arn('role/etl-reader'), relation: 'can-assume' },
    { from: 'arn:aws:iam::210987654321:root', to: arn('role/etl-reader'), relation: 'can-assume' }],
}, {
  id: 'AROAQETLREADER0000001', tags: { Team: 'data', Service: 'etl', Environment: 'prod', Tier: '2' }, inlinePolicies: ['read-etl-secrets'],
  trust: 'aws', trustedPrincipals: [arn('user/etl-service'), 'arn:aws:iam::210987654321:root'], trustedServices: [], federatedProviders: [], lastUsedRegion: 'eu-west-1',
});

const V1: InventoryRecord[] = [
  ident('user', 'user/ci-deployer', 'ci-deployer', '2022-08-15T12:30:00Z', {
    ...own('platform-team', 'deploy-pipeline', 'prod', '1'),
    privileges: [p('s3:PutObject', 'arn:aws:s3:::artifacts-prod/*', false, false), p('s3:GetObject', 'arn:aws:s3:::artifacts-prod/*', false, false)],
    edges: [memberOf('ci-deployer', 'ci/deployers')],
  }, { id: 'AIDAQCIDEPLOYER000001', tags: { Owner: 'platform-team', Service: 'deploy-pipeline', Environment: 'prod', Tier: '1' }, inlinePolicies: ['deploy-artifacts'] }),
  ident('user', 'user/legacy-backup', 'legacy-backup', '2018-11-02T08:00:00Z', { privileges: [p('*', '*', true, true)] },
    { id: 'AIDAQLEGACYBACKUP0001', managedPolicies: [ADMIN] }),
  ident('user', 'user/etl-service', 'etl-service', '2021-02-10T14:20:00Z', {
    ...own('data', 'etl', 'prod', '2'),
    privileges: [p('dynamodb:*', 'arn:aws:dynamodb:eu-west-1:123456789012:table/etl-*', true, true), p('s3:GetObject', '*', true, true), p('s3:ListBucket', '*', true, true)],
  }, { id: 'AIDAQETLSERVICE000001', tags: { team: 'data', app: 'etl', env: 'prod', tier: 'tier-2' }, inlinePolicies: ['etl-wildcard'], denied: [{ action: 'dynamodb:DeleteTable', resource: '*' }] }),
  ident('user', 'user/alice', 'alice', '2020-01-06T10:00:00Z', { ...own('alice@example.com', null, null, null), edges: [memberOf('alice', 'admins')] },
    { id: 'AIDAQALICE00000000001', tags: { owner: 'alice@example.com' } }),
  ident('user', 'user/old-operator', 'old-operator', '2014-01-20T15:00:00Z', { edges: [memberOf('old-operator', 'admins')] }, { id: 'AIDAQOLDOPERATOR00001' }),
  ident('user', 'user/iot-gateway', 'iot-gateway', '2023-09-01T08:00:00Z', {
    ...own('devices', 'iot-gateway', 'prod', '2'), privileges: [p('iot:Publish', 'arn:aws:iot:us-east-1:123456789012:topic/telemetry/*', false, false)],
  }, { id: 'AIDAQIOTGATEWAY000001', tags: { Owner: 'devices', Service: 'iot-gateway', Environment: 'prod', Tier: '2' }, inlinePolicies: ['iot-publish'] }),
  ident('user', 'user/metrics-agent', 'metrics-agent', '2024-05-10T14:03:22Z', {
    ...own('observability', 'metrics', 'staging', null),
    privileges: [p('cloudwatch:PutMetricData', '*', true, true), p('ec2:DescribeTags', '*', true, true), p('logs:PutLogEvents', '*', true, true),
      p('ssm:GetParameter', 'arn:aws:ssm:*:*:parameter/AmazonCloudWatch-*', false, true)],
  }, { id: 'AIDAQMETRICSAGENT0001', tags: { Owner: 'observability', Service: 'metrics', Environment: 'staging' }, managedPolicies: ['arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy'] }),
  ident('user', 'user/ops,bot', 'ops,bot', '2023-03-03T03:03:03Z', { ...own('sre', null, null, null), edges: [memberOf('ops,bot', 'ci/deployers')] },
    { id: 'AIDAQOPSBOT0000000001', tags: { Owner: 'sre' }, permissionsBoundary: arn('policy/OpsBoundary') }),
  ident('user', 'user/service/payments-api', 'payments-api', '2023-11-20T10:00:00Z', {
    ...own('payments', 'payments-api', 'prod', '1'),
    privileges: [p('secretsmanager:GetSecretValue', 'arn:aws:secretsmanager:us-east-1:123456789012:secret:payments/*', false, true)],
  }, { path: '/service/', id: 'AIDAQPAYMENTSAPI00001', tags: { owner: 'payments', service: 'payments-api', environment: 'prod', tier: '1' }, inlinePolicies: ['read-payment-secrets'] }),
  ident('group', 'group/admins', 'admins', '2019-03-01T10:00:00Z', { privileges: [p('*', '*', true, true)] }, { id: 'AGPAQADMINS0000000001', managedPolicies: [ADMIN] }),
  ident('group', 'group/ci/deployers', 'deployers', '2022-08-15T12:00:00Z', { privileges: [p('ec2:Describe*', '*', true, true), ...DEPLOY_PRIVILEGES] },
    { path: '/ci/', id: 'AGPAQDEPLOYERS0000001', inlinePolicies: ['deployers-describe'], managedPolicies: [DEPLOY] }),
  ident('role', GH, 'github-actions-deploy', '2023-06-01T09:00:00Z', {
    ...own('platform-team', 'deploy-pipeline', 'prod', '1'), lastUsedAt: t('2024-05-31T18:00:00Z'), federated: true, privileges: DEPLOY_PRIVILEGES,
  }, {
    id: 'AROAQGITHUBDEPLOY0001', tags: { owner: 'platform-team', service: 'deploy-pipeline', env: 'prod', tier: '1' }, managedPolicies: [DEPLOY],
    trust: 'web-identity', trustedPrincipals: [], trustedServices: [], federatedProviders: [OIDC], lastUsedRegion: 'us-east-1',
  }),
  {
    category: 'credential', kind: 'federated-role', nativeId: arn(`${GH}/web-identity`), name: 'github-actions-deploy web identity', parentId: arn(GH),
    ...own('platform-team', 'deploy-pipeline', 'prod', '1'), createdAt: t('2023-06-01T09:00:00Z'), lastRotatedAt: null, lastUsedAt: t('2024-05-31T18:00:00Z'),
    expiresAt: null, active: true, longLived: false, federated: true, attributes: { providers: [OIDC] },
  },
  ETL_READER('arn:aws:secretsmanager:eu-west-1:123456789012:secret:etl/*', false),
  ident('role', 'role/thumbnailer-lambda', 'thumbnailer-lambda', '2022-04-04T04:04:04Z', {
    ...own(null, 'thumbnailer', 'staging', null),
    privileges: [p('logs:CreateLogGroup', '*', true, true), p('logs:CreateLogStream', '*', true, true), p('logs:PutLogEvents', '*', true, true)],
  }, {
    id: 'AROAQTHUMBNAILER00001', tags: { app: 'thumbnailer', env: 'staging' }, managedPolicies: ['arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
    trust: 'service', trustedPrincipals: [], trustedServices: ['lambda.amazonaws.com'], federatedProviders: [],
  }),
  ident('role', 'role/aws-service-role/support.amazonaws.com/AWSServiceRoleForSupport', 'AWSServiceRoleForSupport', '2019-03-01T09:05:00Z', {}, {
    path: '/aws-service-role/support.amazonaws.com/', id: 'AROAQSUPPORT000000001',
    managedPolicies: ['arn:aws:iam::aws:policy/aws-service-role/AWSSupportServiceRolePolicy'],
    trust: 'service', trustedPrincipals: [], trustedServices: ['support.amazonaws.com'], federatedProviders: [], serviceLinked: true,
    unresolvedPolicies: ['arn:aws:iam::aws:policy/aws-service-role/AWSSupportServiceRolePolicy'],
  }),
];

/** A minimal export around the given entries. */
const details = (parts: { users?: unknown[]; groups?: unknown[]; roles?: unknown[]; policies?: unknown[] }) => ({
  UserDetailList: parts.users ?? [], GroupDetailList: parts.groups ?? [], RoleDetailList: parts.roles ?? [], Policies: parts.policies ?? [],
});
const userEl = (name: string, extra: object = {}) => ({ Path: '/', UserName: name, UserId: `AIDA${name}`, Arn: arn(`user/${name}`), CreateDate: '2024-01-01T00:00:00Z', ...extra });
const roleEl = (name: string, trust: object, extra: object = {}) => ({ Path: '/', RoleName: name, RoleId: `AROA${name}`, Arn: arn(`role/${name}`), CreateDate: '2024-01-01T00:00:00Z', AssumeRolePolicyDocument: trust, ...extra });
const inline = (statements: object[]) => [{ PolicyName: 'p', PolicyDocument: { Version: '2012-10-17', Statement: statements } }];
const invalid = (field: string, rule: string) => (e: unknown) => isTesseraError(e, 'ERR_INVALID_INPUT') && e.details?.field === field && e.details?.rule === rule;

describe('awsAuthorizationDetails', () => {
  it('documents the command that produces the file', () => {
    assert.equal(awsAuthorizationDetails.source, 'aws-authorization-details');
    assert.equal(awsAuthorizationDetails.producedBy, 'aws iam get-account-authorization-details --output json > auth.json');
  });

  it('emits users, groups, roles and the federated role credential of the fixture, exactly', async () => {
    const { records, scope } = await importDetails(fixture('authorization-details.json'));
    assert.deepEqual(records, V1);
    assert.equal(scope, ACCOUNT);
  });

  it('reads the fixture the same in 1-byte chunks, and with Policies before the identities', async () => {
    assert.deepEqual((await importDetails(fixture('authorization-details.json'), {}, 1)).records, V1);
    const doc = JSON.parse(fixture('authorization-details.json').toString()) as Record<string, unknown>;
    const reordered = { Policies: doc.Policies, RoleDetailList: doc.RoleDetailList, GroupDetailList: doc.GroupDetailList, UserDetailList: doc.UserDetailList };
    const { records } = await importDetails(reordered);
    const order = (rs: InventoryRecord[]) => [...rs].sort((a, b) => a.nativeId.localeCompare(b.nativeId));
    assert.deepEqual(order(records), order(V1));
  });

  it('uses the scope it is given instead of the account in the ARNs', async () => {
    assert.equal((await importDetails(fixture('authorization-details.json'), { scope: 'prod' })).scope, 'prod');
  });

  it('shows the widened privilege and the new role in the newer export', async () => {
    const v2 = (await importDetails(fixture('authorization-details-v2.json'))).records;
    const before = new Map(V1.map((r) => [r.nativeId, r])), after = new Map(v2.map((r) => [r.nativeId, r]));
    const changed = [...after.keys()].filter((k) => before.has(k) && !isDeepStrictEqual(before.get(k), after.get(k)));
    assert.deepEqual(changed, [arn('role/etl-reader')]);
    assert.deepEqual(after.get(arn('role/etl-reader')), ETL_READER('*', true));
    assert.deepEqual([...before.keys()].filter((k) => !after.has(k)), []);
    assert.deepEqual(after.get(arn('role/reporting-runner')), ident('role', 'role/reporting-runner', 'reporting-runner', '2024-06-11T07:00:00Z', {
      ...own('analytics', 'reporting', 'prod', '3'),
      privileges: [p('athena:StartQueryExecution', 'arn:aws:athena:us-east-1:123456789012:workgroup/reporting', false, false),
        p('athena:GetQueryResults', 'arn:aws:athena:us-east-1:123456789012:workgroup/reporting', false, false)],
    }, {
      id: 'AROAQREPORTINGRUNNER1', tags: { owner: 'analytics', service: 'reporting', env: 'prod', tier: '3' }, inlinePolicies: ['run-queries'],
      trust: 'service', trustedPrincipals: [], trustedServices: ['ecs-tasks.amazonaws.com'], federatedProviders: [],
    }));
    assert.equal(v2.length, V1.length + 1);
  });

  it('turns NotAction and NotResource into wildcards and crosses Action and Resource lists', async () => {
    const { records } = await importDetails(details({ users: [userEl('u', { UserPolicyList: inline([
      { Effect: 'Allow', NotAction: ['iam:*', 'organizations:*'], Resource: '*' },
      { Effect: 'Allow', Action: 's3:GetObject', NotResource: 'arn:aws:s3:::secret/*' },
      { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: ['arn:aws:s3:::a/*', 'arn:aws:s3:::b/*'] },
    ]) })] }));
    assert.deepEqual(records[0]!.privileges, [
      p('* except iam:*, organizations:*', '*', true, true),
      p('s3:GetObject', '* except arn:aws:s3:::secret/*', true, true),
      p('s3:GetObject', 'arn:aws:s3:::a/*', false, false), p('s3:GetObject', 'arn:aws:s3:::b/*', false, false),
      p('s3:PutObject', 'arn:aws:s3:::a/*', false, false), p('s3:PutObject', 'arn:aws:s3:::b/*', false, false),
    ]);
  });

  it('marks sensitive actions, including patterns that cover them, and not harmless ones', async () => {
    const actions = ['iam:ListUsers', 'sts:AssumeRole', 'KMS:Decrypt', 'secretsmanager:Get*', 'ssm:GetParameter*', 'ssm:GetParametersByPath', 's3:Get*', 'kms:Encrypt', 'sts:GetCallerIdentity'];
    const { records } = await importDetails(details({ users: [userEl('u', { UserPolicyList: inline([{ Effect: 'Allow', Action: actions, Resource: 'arn:aws:x:::y' }]) })] }));
    assert.deepEqual(records[0]!.privileges!.map((x) => [x.action, x.sensitive, x.wildcard]), [
      ['iam:ListUsers', true, false], ['sts:AssumeRole', true, false], ['KMS:Decrypt', true, false], ['secretsmanager:Get*', true, false],
      ['ssm:GetParameter*', true, false], ['ssm:GetParametersByPath', true, false], ['s3:Get*', false, false], ['kms:Encrypt', false, false],
      ['sts:GetCallerIdentity', false, false],
    ]);
  });

  it('reads trust: an account id, anyone, SAML, and a group missing from the export', async () => {
    const trust = (statement: object) => ({ Version: '2012-10-17', Statement: [statement] });
    const { records } = await importDetails(details({
      users: [userEl('u', { GroupList: ['ghost'] })],
      roles: [
        roleEl('cross', trust({ Effect: 'Allow', Principal: { AWS: '210987654321' }, Action: ['sts:AssumeRole', 'sts:TagSession'] })),
        roleEl('open', trust({ Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' })),
        roleEl('sso', trust({ Effect: 'Allow', Principal: { Federated: arn('saml-provider/corp') }, Action: 'sts:AssumeRoleWithSAML' })),
        roleEl('denied', trust({ Effect: 'Deny', Principal: { AWS: arn('user/u') }, Action: 'sts:AssumeRole' })),
      ],
    }));
    const [u, cross, open, sso, denied] = records;
    assert.deepEqual(u!.edges, [{ from: arn('user/u'), to: arn('group/ghost'), relation: 'member-of' }]);
    assert.deepEqual(cross!.edges, [{ from: 'arn:aws:iam::210987654321:root', to: arn('role/cross'), relation: 'can-assume' }]);
    assert.deepEqual([open!.attributes!.trust, open!.attributes!.anyPrincipal, open!.edges], ['aws', true, []]);
    assert.deepEqual([sso!.attributes!.trust, sso!.federated, sso!.attributes!.federatedProviders], ['saml', false, [arn('saml-provider/corp')]]);
    assert.deepEqual([denied!.attributes!.trust, denied!.edges], ['none', []]);
    assert.equal(records.length, 5, 'only web-identity roles get a federated-role credential');
  });

  it('still knows AdministratorAccess when the export has no Policies list', async () => {
    const { records } = await importDetails({ UserDetailList: [userEl('u', { AttachedManagedPolicies: [{ PolicyName: 'AdministratorAccess', PolicyArn: ADMIN }] })] });
    assert.deepEqual(records[0]!.privileges, [p('*', '*', true, true)]);
    assert.equal(records[0]!.attributes!.unresolvedPolicies, undefined);
  });

  it('refuses a Kubernetes List, naming what it is, before reading it all', async () => {
    const list = { apiVersion: 'v1', items: Array.from({ length: 50 }, (_, i) => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: `sa-${i}` } })), kind: 'List', metadata: { resourceVersion: '' } };
    const { seen, error } = await failure(list);
    assert.ok(isTesseraError(error, 'ERR_INVALID_INPUT'));
    assert.deepEqual(error.details, { field: 'file', rule: 'kind' });
    assert.match(error.message, /not an AWS authorization details export/);
    assert.deepEqual(seen, []);
  });

  it('refuses other JSON that is not the export: an array, an empty object, unrelated arrays', async () => {
    for (const doc of [[{ UserName: 'x' }], {}, { accounts: [{ id: 1 }] }, { kind: 'ServiceAccountList', apiVersion: 'v1' }]) {
      const { seen, error } = await failure(doc);
      assert.ok(invalid('file', 'kind')(error), JSON.stringify(doc));
      assert.deepEqual(seen, []);
    }
  });

  it('refuses a truncated file and yields nothing from it', async () => {
    const whole = fixture('authorization-details.json');
    const { seen, error } = await failure(whole.subarray(0, Math.floor(whole.length * 0.8)));
    assert.ok(invalid('file', 'truncated')(error));
    assert.deepEqual(seen, []);
  });

  it('refuses one page of a paginated export', async () => {
    const { seen, error } = await failure({ ...details({ users: [userEl('u')] }), IsTruncated: true, Marker: 'abc' });
    assert.ok(invalid('file', 'truncated')(error));
    assert.deepEqual(seen, []);
  });

  it('refuses garbage dates, naming the entry and field', async () => {
    const bad = await failure(details({ users: [userEl('a'), userEl('b', { CreateDate: 'last tuesday' })] }));
    assert.ok(invalid('UserDetailList[1].CreateDate', 'date')(bad.error));
    assert.deepEqual(bad.seen, []);
    const lastUsed = await failure(details({ roles: [roleEl('r', {}, { RoleLastUsed: { LastUsedDate: '2024-02-30T00:00:00Z' } })] }));
    assert.ok(invalid('RoleDetailList[0].RoleLastUsed.LastUsedDate', 'date')(lastUsed.error));
    const odd = await importDetails(details({ users: [userEl('a', { CreateDate: '2024-01-01 10:00:00Z' })] }));
    assert.equal(odd.records[0]!.createdAt, Date.UTC(2024, 0, 1, 10));
  });

  it('refuses duplicates of an identity or a policy', async () => {
    const dupUser = await failure(details({ users: [userEl('a'), userEl('a')] }));
    assert.ok(invalid('UserDetailList[1].Arn', 'duplicate')(dupUser.error));
    assert.deepEqual(dupUser.seen, []);
    const policy = { Arn: arn('policy/P'), DefaultVersionId: 'v1', PolicyVersionList: [{ VersionId: 'v1', IsDefaultVersion: true, Document: { Statement: [] } }] };
    const dupPolicy = await failure(details({ policies: [policy, policy] }));
    assert.ok(invalid('Policies[1].Arn', 'duplicate')(dupPolicy.error));
  });

  it('refuses malformed entries and policy documents, naming the field', async () => {
    const cases: [object, string, string][] = [
      [details({ users: [{ UserName: 'x' }] }), 'UserDetailList[0].Arn', 'required'],
      [details({ users: ['x'] }), 'UserDetailList[0]', 'type'],
      [details({ users: [userEl('u', { UserPolicyList: [{ PolicyName: 'p', PolicyDocument: '%7Bnot%20json' }] })] }), 'UserDetailList[0].UserPolicyList[0].PolicyDocument', 'policy'],
      [details({ users: [userEl('u', { UserPolicyList: inline([{ Effect: 'Allow', Action: 7, Resource: '*' }]) })] }), 'UserDetailList[0].UserPolicyList[0].PolicyDocument.Statement[0].Action', 'policy'],
      [details({ users: [userEl('u', { UserPolicyList: inline([{ Effect: 'Maybe', Action: 's3:*', Resource: '*' }]) })] }), 'UserDetailList[0].UserPolicyList[0].PolicyDocument.Statement[0].Effect', 'policy'],
      [details({ users: [userEl('u', { Tags: [{ Key: 'owner' }] })] }), 'UserDetailList[0].Tags[0]', 'type'],
      [details({ users: [userEl('u', { Arn: 'arn:aws:s3:::bucket' })] }), 'UserDetailList[0].Arn', 'arn'],
      [details({ users: [userEl('u'), userEl('v', { Arn: 'arn:aws:iam::999999999999:user/v' })] }), 'UserDetailList[1].Arn', 'account'],
      [details({ policies: [{ Arn: arn('policy/P'), DefaultVersionId: 'v2', PolicyVersionList: [] }] }), 'Policies[0].PolicyVersionList', 'required'],
    ];
    for (const [doc, field, rule] of cases) {
      const { seen, error } = await failure(doc);
      assert.ok(invalid(field, rule)(error), `${field}: ${String(error)}`);
      assert.deepEqual(seen, []);
    }
  });

  it('needs the scope given when the export has no identities', async () => {
    const run = awsAuthorizationDetails.parse(chunks(JSON.stringify({ ...details({}), IsTruncated: false }), 100), { now: NOW });
    for await (const _ of run.records) assert.fail('no record expected');
    assert.throws(() => run.scope(), (e) => isTesseraError(e, 'ERR_INVALID_INPUT') && e.details?.field === 'scope');
  });
});

describe('ownershipFromTags', () => {
  it('reads the conventional keys in any case, preferring owner over team, service over app, environment over env', () => {
    assert.deepEqual(ownershipFromTags({ TEAM: 'data', Owner: 'alice', App: 'etl', SERVICE: 'etl-api', env: 'stg', Environment: 'staging', Tier: 'Tier-1' }),
      { owner: 'alice', service: 'etl-api', environment: 'staging', tier: '1' });
    assert.deepEqual(ownershipFromTags({ team: 'data', app: 'etl', env: 'prod', tier: 'gold' }), { owner: 'data', service: 'etl', environment: 'prod', tier: 'gold' });
  });

  it('matches prefixed keys (label conventions) after exact ones, and ignores blank values', () => {
    assert.deepEqual(ownershipFromTags({ 'example.com/owner': 'payments', 'app.kubernetes.io/team': 'x', 'aws:env': 'prod', tier: ' ' }),
      { owner: 'payments', service: null, environment: 'prod', tier: null });
    assert.deepEqual(ownershipFromTags({ 'example.com/owner': 'a', owner: 'b' }).owner, 'b');
    assert.deepEqual(ownershipFromTags({}), { owner: null, service: null, environment: null, tier: null });
  });
});
