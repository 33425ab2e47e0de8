import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../helpers/temp.ts';
import { fixPlan } from '../../../src/inventory/posture/fix-plan.ts';
import type { HygieneItem } from '../../../src/inventory/posture/posture-types.ts';

const base = {
  owner: null, environment: null, tier: null, parentId: null, createdAt: null, lastRotatedAt: null,
  lastUsedAt: null, expiresAt: null, attributes: {}, reason: 'because',
};
const ACCT = 'arn:aws:iam::111111111111';
const CREATED = Date.UTC(2024, 8, 23, 10, 20, 30);

const item = (i: Partial<HygieneItem> & Pick<HygieneItem, 'list' | 'nativeId' | 'source' | 'category' | 'kind' | 'action'>): HygieneItem =>
  ({ ...base, name: i.nativeId.split('/').pop()!, ...i });

const awsKeyDisable = item({ list: 'unused', source: 'aws-credential-report', category: 'credential', kind: 'static-key', action: 'disable',
  nativeId: `${ACCT}:user/etl-bot/access-key-2`, parentId: `${ACCT}:user/etl-bot`, createdAt: CREATED, lastRotatedAt: CREATED });
const awsKeyRotate = item({ list: 'rotation-overdue', source: 'aws-credential-report', category: 'credential', kind: 'static-key', action: 'rotate',
  nativeId: `${ACCT}:user/etl-bot/access-key-1`, parentId: `${ACCT}:user/etl-bot`, attributes: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE' } });
const awsUserUnowned = item({ list: 'unowned', source: 'aws-authorization-details', category: 'identity', kind: 'user', action: 'assign-owner',
  nativeId: `${ACCT}:user/ops/deploy-bot` });
const awsKeyOfSameUser = item({ list: 'unowned', source: 'aws-credential-report', category: 'credential', kind: 'static-key', action: 'assign-owner',
  nativeId: `${ACCT}:user/ops/deploy-bot/access-key-1`, parentId: `${ACCT}:user/ops/deploy-bot` });
const awsUserUnused = item({ list: 'unused', source: 'aws-authorization-details', category: 'identity', kind: 'user', action: 'disable',
  nativeId: `${ACCT}:user/old-bot` });
// Export data is attacker-controlled: quotes, $( ), back-quotes and newlines must stay data.
const k8sToken = item({ list: 'expired-active', source: 'kubernetes', category: 'credential', kind: 'token', action: 'disable',
  nativeId: "k8s://c1/namespaces/team's ns/secrets/tok $(touch pwned1) `touch pwned2`", name: 'tok' });
const k8sSa = item({ list: 'unused', source: 'kubernetes', category: 'identity', kind: 'service-account', action: 'disable',
  nativeId: 'k8s://c1/namespaces/prod/serviceaccounts/etl-worker' });
const k8sSaUnowned = item({ list: 'unowned', source: 'kubernetes', category: 'identity', kind: 'service-account', action: 'assign-owner',
  nativeId: 'k8s://c1/namespaces/prod/serviceaccounts/etl-worker' });
const gcpKey = item({ list: 'expired-active', source: 'gcp-service-account-keys', category: 'credential', kind: 'static-key', action: 'disable',
  nativeId: 'projects/p1/serviceAccounts/etl@p1.iam.gserviceaccount.com/keys/0123abcd' });
const gcpSa = item({ list: 'unused', source: 'gcp-service-accounts', category: 'identity', kind: 'service-account', action: 'disable',
  nativeId: 'projects/p1/serviceAccounts/old@p1.iam.gserviceaccount.com' });
const ghRepoSecret = item({ list: 'expired-active', source: 'github-actions-secrets', category: 'credential', kind: 'secret', action: 'disable',
  nativeId: 'github://acme/app/actions/secrets/DEPLOY_TOKEN' });
const ghOrgSecret = item({ list: 'rotation-overdue', source: 'github-actions-secrets', category: 'credential', kind: 'secret', action: 'rotate',
  nativeId: 'github://acme/actions/secrets/NPM_TOKEN' });
const ghDeployKey = item({ list: 'unused', source: 'github-deploy-keys', category: 'credential', kind: 'static-key', action: 'disable',
  nativeId: 'github://acme/app/keys/42' });
const ghDeployKeyRotate = item({ list: 'rotation-overdue', source: 'github-deploy-keys', category: 'credential', kind: 'static-key', action: 'rotate',
  nativeId: 'github://acme/app/keys/43', name: 'ci\ntouch pwned3' });
const vaultUnowned = item({ list: 'unowned', source: 'vault-kv-metadata', category: 'credential', kind: 'secret', action: 'assign-owner',
  nativeId: 'vault://vault/secret/app/db' });
const vaultExpired = item({ list: 'expired-active', source: 'vault-kv-metadata', category: 'credential', kind: 'secret', action: 'disable',
  nativeId: 'vault://vault/secret/app/db', attributes: { path: 'secret/app/db-creds' } });
const tesseraKey = item({ list: 'expired-active', source: 'tessera', category: 'credential', kind: 'static-key', action: 'disable',
  nativeId: 'spiffe://tessera.local/ns/prod/sa/legacy#key-1', attributes: { keyId: 'key_01' } });
const shared = item({ list: 'shared-environments', source: 'aws-authorization-details', category: 'identity', kind: 'role', action: 'split',
  nativeId: `${ACCT}:role/deployer` });

const ALL = [awsKeyDisable, awsKeyRotate, awsUserUnowned, awsKeyOfSameUser, awsUserUnused, k8sToken, k8sSa, k8sSaUnowned, gcpKey, gcpSa,
  ghRepoSecret, ghOrgSecret, ghDeployKey, ghDeployKeyRotate, vaultUnowned, vaultExpired, tesseraKey, shared];

const lines = (script: string) => script.split('\n');
const live = (script: string) => lines(script).filter((l) => l !== '' && !l.startsWith('#'));

describe('fixPlan', () => {
  let dir: string;
  before(() => { dir = tempDir(); });
  after(() => { rmSync(dir, { recursive: true, force: true }); });

  function syntaxOk(script: string): void {
    const file = join(dir, 'plan-check.sh');
    writeFileSync(file, script);
    const r = spawnSync('sh', ['-n', file], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  }

  /** Runs the plan with stub aws/kubectl/gcloud/gh/vault/tessera that log their arguments. */
  function runWithStubs(script: string, env: Record<string, string> = {}): { log: string[]; stderr: string; status: number | null } {
    const bin = join(dir, 'bin');
    const log = join(dir, 'calls.log');
    rmSync(log, { force: true });
    spawnSync('mkdir', ['-p', bin]);
    for (const tool of ['aws', 'kubectl', 'gcloud', 'gh', 'vault', 'tessera']) {
      writeFileSync(join(bin, tool), [
        '#!/bin/sh',
        'n=$(basename "$0"); line="$n"',
        'for a in "$@"; do line="$line <$a>"; done',
        'printf \'%s\\n\' "$line" >> "$CALLS"',
        'if [ "$n $1 $2" = "aws iam list-access-keys" ]; then printf \'%s\\n\' "$STUB_KEY_IDS"; fi',
        '',
      ].join('\n'));
      chmodSync(join(bin, tool), 0o755);
    }
    const file = join(dir, 'plan.sh');
    writeFileSync(file, script);
    const r = spawnSync('sh', [file], {
      cwd: dir, encoding: 'utf8',
      env: { PATH: `${bin}:/usr/bin:/bin`, CALLS: log, STUB_KEY_IDS: 'AKIASTUBKEY000000005', ...env },
    });
    return { log: existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : [], stderr: r.stderr, status: r.status };
  }

  it('starts with #!/bin/sh, set -eu and says Tessera never runs it', () => {
    const s = fixPlan(ALL);
    assert.equal(lines(s)[0], '#!/bin/sh');
    assert.ok(lines(s).includes('set -eu'));
    assert.match(s, /^# Tessera never runs this script\./m);
    syntaxOk(s);
  });

  it('prints each platform\'s own commands, quoted for sh', () => {
    const s = fixPlan(ALL);
    const run = live(s);
    for (const expected of [
      `key_5=$(aws iam list-access-keys --user-name 'etl-bot' --query 'AccessKeyMetadata[?starts_with(CreateDate, '\\''2024-09-23T10:20:30'\\'')].AccessKeyId' --output text) || key_5=''`,
      `[ -z "$key_5" ] || aws iam update-access-key --user-name 'etl-bot' --access-key-id "$key_5" --status Inactive`,
      `for k in $(aws iam list-access-keys --user-name 'old-bot' --query 'AccessKeyMetadata[?Status=='\\''Active'\\''].AccessKeyId' --output text); do aws iam update-access-key --user-name 'old-bot' --access-key-id "$k" --status Inactive; done`,
      `if [ -n "$owner_1" ]; then aws iam tag-user --user-name 'deploy-bot' --tags "Key=owner,Value=\${owner_1}"; else echo 'skipped [1]: set owner_1 first' >&2; fi`,
      `kubectl delete secret -n 'team'\\''s ns' 'tok $(touch pwned1) \`touch pwned2\`'`,
      `kubectl patch serviceaccount -n 'prod' 'etl-worker' -p '{"automountServiceAccountToken":false}'`,
      `if [ -n "$owner_2" ]; then kubectl annotate --overwrite serviceaccounts -n 'prod' 'etl-worker' "tessera.dev/owner=\${owner_2}"; else echo 'skipped [3]: set owner_2 first' >&2; fi`,
      `gcloud iam service-accounts keys disable '0123abcd' --iam-account='etl@p1.iam.gserviceaccount.com'`,
      `gcloud iam service-accounts disable 'old@p1.iam.gserviceaccount.com'`,
      `gh secret delete 'DEPLOY_TOKEN' --repo 'acme/app'`,
      `gh repo deploy-key delete '42' --repo 'acme/app'`,
      `if [ -n "$owner_3" ]; then vault kv metadata patch -custom-metadata="owner=\${owner_3}" 'secret/app/db'; else echo 'skipped [4]: set owner_3 first' >&2; fi`,
      `vault kv metadata delete 'secret/app/db-creds'`,
      `tessera identity key revoke 'key_01' --reason 'fix plan: expired-active'`,
    ]) assert.ok(run.includes(expected), `missing: ${expected}\n--- script ---\n${s}`);
    // Rotations need a person between steps: printed, commented out.
    for (const expected of [
      `# aws iam create-access-key --user-name 'etl-bot'`,
      `# aws iam update-access-key --user-name 'etl-bot' --access-key-id 'AKIAIOSFODNN7EXAMPLE' --status Inactive`,
      `# aws iam delete-access-key --user-name 'etl-bot' --access-key-id 'AKIAIOSFODNN7EXAMPLE'`,
      `# gh secret set 'NPM_TOKEN' --org 'acme'`,
      `# gh repo deploy-key add new-deploy-key.pub --repo 'acme/app' --title 'ci?touch pwned3'`,
    ]) assert.ok(lines(s).includes(expected), `missing: ${expected}\n--- script ---\n${s}`);
    assert.ok(!run.some((l) => l.includes('create-access-key')), 'no rotation step runs');
    // The key's user and the user itself share one owner variable.
    assert.ok(lines(s).includes('# owner: set with owner_1 above'));
    assert.match(s, /kubectl create token/);
    assert.match(s, /# split: create one identity per environment/);
  });

  it('runs as written: arguments arrive intact, nothing in the data is executed', () => {
    const r = runWithStubs(fixPlan(ALL));
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.log, [
      'aws <iam> <list-access-keys> <--user-name> <etl-bot> <--query> <AccessKeyMetadata[?starts_with(CreateDate, \'2024-09-23T10:20:30\')].AccessKeyId> <--output> <text>',
      'aws <iam> <update-access-key> <--user-name> <etl-bot> <--access-key-id> <AKIASTUBKEY000000005> <--status> <Inactive>',
      'aws <iam> <list-access-keys> <--user-name> <old-bot> <--query> <AccessKeyMetadata[?Status==\'Active\'].AccessKeyId> <--output> <text>',
      'aws <iam> <update-access-key> <--user-name> <old-bot> <--access-key-id> <AKIASTUBKEY000000005> <--status> <Inactive>',
      'kubectl <patch> <serviceaccount> <-n> <prod> <etl-worker> <-p> <{"automountServiceAccountToken":false}>',
      'gcloud <iam> <service-accounts> <disable> <old@p1.iam.gserviceaccount.com>',
      'gh <repo> <deploy-key> <delete> <42> <--repo> <acme/app>',
      'kubectl <delete> <secret> <-n> <team\'s ns> <tok $(touch pwned1) `touch pwned2`>',
      'gcloud <iam> <service-accounts> <keys> <disable> <0123abcd> <--iam-account=etl@p1.iam.gserviceaccount.com>',
      'gh <secret> <delete> <DEPLOY_TOKEN> <--repo> <acme/app>',
      'vault <kv> <metadata> <delete> <secret/app/db-creds>',
      'tessera <identity> <key> <revoke> <key_01> <--reason> <fix plan: expired-active>',
    ]);
    assert.match(r.stderr, /skipped \[1\]: set owner_1 first/);
    for (const f of ['pwned1', 'pwned2', 'pwned3']) assert.equal(existsSync(join(dir, f)), false, `${f} must not exist`);
  });

  it('tags with the owner once the variable is filled in', () => {
    const s = fixPlan([awsUserUnowned, awsKeyOfSameUser, k8sSaUnowned]).replace("owner_1=''", "owner_1='team-ops'");
    const r = runWithStubs(s);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.log, ['aws <iam> <tag-user> <--user-name> <deploy-bot> <--tags> <Key=owner,Value=team-ops>']);
    assert.match(r.stderr, /skipped \[3\]: set owner_2 first/);
  });

  it('skips a key it cannot identify instead of deactivating the wrong one', () => {
    for (const ids of ['', 'None', 'AKIAONE0000000000001\tAKIATWO0000000000002']) {
      const r = runWithStubs(fixPlan([awsKeyDisable]), { STUB_KEY_IDS: ids });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.log.length, 1, 'only the lookup ran');
      assert.match(r.stderr, /access key 2 of etl-bot: no single match created 2024-09-23T10:20:30Z; skipped/);
    }
  });

  it('says what it cannot do instead of guessing', () => {
    const s = fixPlan([
      item({ list: 'unowned', source: 'aws-authorization-details', category: 'identity', kind: 'group', action: 'assign-owner', nativeId: `${ACCT}:group/admins` }),
      item({ list: 'unused', source: 'aws-credential-report', category: 'credential', kind: 'static-key', action: 'disable', nativeId: `${ACCT}:root/access-key-1`, parentId: `${ACCT}:root` }),
      item({ list: 'unused', source: 'aws-credential-report', category: 'credential', kind: 'static-key', action: 'disable', nativeId: `${ACCT}:user/x/access-key-1`, parentId: `${ACCT}:user/x` }),
      item({ list: 'unowned', source: 'something-new', category: 'identity', kind: 'user', action: 'assign-owner', nativeId: 'x://y' }),
    ]);
    assert.deepEqual(live(s), ['set -eu']);
    assert.match(s, /# IAM groups take no tags/);
    assert.match(s, /# root user credentials: sign in as the root user/);
    assert.match(s, /# the report has no creation time for this slot/);
    assert.match(s, /# no command known for source something-new/);
    syntaxOk(s);
  });

  it('a newline in any value cannot end a comment', () => {
    const evil = item({ list: 'unused', source: 'kubernetes', category: 'identity', kind: 'service-account', action: 'disable',
      nativeId: 'k8s://c1/namespaces/prod/serviceaccounts/a\ntouch pwned4', name: 'a\ntouch pwned4', reason: 'x\r\ntouch pwned5' });
    const s = fixPlan([evil]);
    assert.ok(!lines(s).some((l) => l.startsWith('touch')), s);
    assert.deepEqual(live(s), ['set -eu'], 'no command carries the value');
    assert.match(s, /# a value holds control characters/);
    syntaxOk(s);
    const r = runWithStubs(s);
    assert.equal(r.status, 0, r.stderr);
    for (const f of ['pwned4', 'pwned5']) assert.equal(existsSync(join(dir, f)), false);
  });

  it('an empty list gives a script that does nothing', () => {
    const s = fixPlan([]);
    assert.deepEqual(live(s), ['set -eu']);
    assert.match(s, /# nothing to fix/);
    syntaxOk(s);
  });
});
