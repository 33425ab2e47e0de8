// A small inventory whose posture metrics are worked out by hand in compute-posture.test.ts.
// Identities: I1 (IAM user etl-bot), G1 (IAM group, blank owner), R1 and R2 (IAM roles that can
// assume each other: a cycle), SA1 (Kubernetes SA, no owner, bound to K8R), K8R (Kubernetes Role: a permission set),
// GSA (GCP SA), plus DIS (disabled, holds a wildcard) and REM (removed, holds a wildcard).
// Credentials C1…C7 are active; C8 is inactive and C9 removed.
import { NOW, DAY, daysAgo, type Seed } from './seed.ts';

export const ACCT = 'arn:aws:iam::111111111111';
export const I1 = `${ACCT}:user/etl-bot`;
export const G1 = `${ACCT}:group/admins`;
export const R1 = `${ACCT}:role/deployer`;
export const R2 = `${ACCT}:role/reader`;
export const SA1 = 'k8s://c1/namespaces/prod/serviceaccounts/etl-worker';
export const K8R = 'k8s://c1/namespaces/prod/roles/secret-reader';
export const GSA = 'projects/p1/serviceAccounts/etl@p1.iam.gserviceaccount.com';
export const DIS = 'projects/p1/serviceAccounts/old@p1.iam.gserviceaccount.com';
export const REM = `${ACCT}:user/gone`;

export const METRICS_SEED: Seed = {
  items: [
    { source: 'aws-authorization-details', nativeId: I1, category: 'identity', kind: 'user', owner: 'team-data', service: 'etl', environment: 'prod', tier: '1',
      privileges: [{ action: 's3:GetObject', resource: 'arn:aws:s3:::etl-bucket/*' }],
      edges: [{ from: I1, to: G1, relation: 'member-of' }, { from: I1, to: R1, relation: 'can-assume' }] },
    { source: 'aws-authorization-details', nativeId: G1, category: 'identity', kind: 'group', owner: '  ',
      privileges: [{ action: 'iam:*', resource: '*', wildcard: true, sensitive: true }] },
    { source: 'aws-authorization-details', nativeId: R1, category: 'identity', kind: 'role', owner: 'team-platform', environment: 'prod', tier: '1',
      privileges: [{ action: 'sts:AssumeRole', resource: `${ACCT}:role/other`, sensitive: true }, { action: 'kms:Decrypt', resource: 'arn:aws:kms:eu-west-1:111111111111:key/1', sensitive: true }],
      edges: [{ from: R1, to: R2, relation: 'can-assume' }] },
    { source: 'aws-authorization-details', nativeId: R2, category: 'identity', kind: 'role', owner: 'team-platform', service: 'reader', environment: 'staging', tier: '2',
      privileges: [{ action: 's3:GetObject', resource: '*', wildcard: true, sensitive: true }, { action: 'kms:Decrypt', resource: 'arn:aws:kms:eu-west-1:111111111111:key/1', sensitive: true }],
      edges: [{ from: R2, to: R1, relation: 'can-assume' }] },
    { source: 'kubernetes', nativeId: SA1, category: 'identity', kind: 'service-account', environment: 'prod', tier: '2' },
    { source: 'kubernetes', nativeId: K8R, category: 'identity', kind: 'permission-set', owner: 'team-data', environment: 'prod',
      privileges: [{ action: 'get secrets', resource: 'namespaces/prod/secrets', sensitive: true }, { action: '* pods', resource: 'namespaces/prod/pods', wildcard: true, sensitive: true }],
      edges: [{ from: SA1, to: K8R, relation: 'bound-to' }] },
    { source: 'gcp-service-accounts', nativeId: GSA, category: 'identity', kind: 'service-account', owner: 'team-data', service: 'etl', environment: 'staging', tier: '3',
      // GSA reaches nothing: DIS is disabled, credential-of is not followed, and REM's edge died with REM.
      edges: [{ from: GSA, to: DIS, relation: 'bound-to' }, { from: GSA, to: G1, relation: 'credential-of' }] },
    { source: 'gcp-service-accounts', nativeId: DIS, category: 'identity', kind: 'service-account', active: false,
      privileges: [{ action: 'roles/owner', resource: 'projects/p1', wildcard: true, sensitive: true }] },
    { source: 'aws-authorization-details', nativeId: REM, category: 'identity', kind: 'user', removedAt: daysAgo(3),
      privileges: [{ action: '*', resource: '*', wildcard: true, sensitive: true }],
      edges: [{ from: GSA, to: R1, relation: 'can-assume' }] },

    { source: 'aws-credential-report', nativeId: `${I1}/access-key-1`, category: 'credential', kind: 'static-key', parentId: I1, longLived: true,
      createdAt: daysAgo(400), lastRotatedAt: daysAgo(400), lastUsedAt: daysAgo(10) },                                   // C1
    { source: 'aws-credential-report', nativeId: `${I1}/access-key-2`, category: 'credential', kind: 'static-key', parentId: I1, longLived: true,
      createdAt: daysAgo(100), lastRotatedAt: daysAgo(100) },                                                            // C2
    { source: 'kubernetes', nativeId: 'k8s://c1/namespaces/prod/secrets/etl-worker-token', category: 'credential', kind: 'token', parentId: SA1,
      longLived: true, createdAt: daysAgo(200) },                                                                        // C3
    { source: 'aws-authorization-details', nativeId: `${R1}#web-identity`, category: 'credential', kind: 'federated-role', parentId: R1,
      federated: true },                                                                                                 // C4: no dates
    { source: 'tessera', nativeId: 'spiffe://tessera.local/ns/prod/sa/api#svid', category: 'credential', kind: 'short-lived-svid',
      owner: 'team-api', federated: true, createdAt: daysAgo(1) },                                                      // C5
    { source: 'gcp-service-account-keys', nativeId: `${GSA}/keys/abc123`, category: 'credential', kind: 'static-key', parentId: GSA,
      longLived: true, createdAt: daysAgo(30), expiresAt: daysAgo(5) },                                                  // C6
    { source: 'github-actions-secrets', nativeId: 'github://acme/app/actions/secrets/DEPLOY_TOKEN', category: 'credential', kind: 'secret',
      longLived: true, createdAt: daysAgo(300), lastRotatedAt: daysAgo(50) },                                            // C7
    { source: 'aws-credential-report', nativeId: `${REM}/access-key-1`, category: 'credential', kind: 'static-key', parentId: REM,
      longLived: true, active: false, createdAt: daysAgo(5000) },                                                        // C8: inactive
    { source: 'aws-credential-report', nativeId: `${REM}/access-key-2`, category: 'credential', kind: 'static-key', parentId: REM,
      longLived: true, createdAt: daysAgo(9000), removedAt: daysAgo(3) },                                                // C9: removed
  ],
  links: [{ nativeId: SA1, workload: 'etl' }, { nativeId: R1, workload: 'deploy' }],
  revocations: [
    { detectedAt: NOW - 10 * DAY, revokedAt: NOW - 10 * DAY + 30_000 },   // 30 s, before `since`
    { detectedAt: NOW - 2 * DAY, revokedAt: NOW - 2 * DAY + 60_000 },     // 60 s
    { detectedAt: NOW - 2 * DAY, revokedAt: NOW - 2 * DAY + 120_000 },    // 120 s
    { detectedAt: NOW - DAY, revokedAt: NOW - DAY + 600_000 },            // 600 s
  ],
  exceptions: [
    { name: 'e1', owner: 'team-data', createdAt: daysAgo(10), expiresAt: NOW + 20 * DAY },
    { name: 'e2', owner: 'team-platform', createdAt: daysAgo(40), expiresAt: NOW + DAY },
    { name: 'e3', owner: 'team-data', createdAt: daysAgo(60), expiresAt: NOW + 20 * DAY, revokedAt: daysAgo(2) },
    { name: 'e4', owner: 'team-data', createdAt: daysAgo(90), expiresAt: NOW - DAY },
    { name: 'e5', owner: 'team-data', createdAt: daysAgo(4), expiresAt: NOW + 5 * DAY },
  ],
};
