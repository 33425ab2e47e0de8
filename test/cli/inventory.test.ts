// `tessera inventory|posture|drift` against a real server on loopback.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { runCli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'inventory');

describe('tessera inventory, posture and drift', () => {
  let t: TestServer;
  const cli = (...args: string[]) => runCli([...args, '--server', t.url, '--data', t.dataDir]);
  before(async () => { t = await startTestServer({ listen: true }); });
  after(async () => { await t.close(); });

  test('import prints what changed; --json gives the counts; a second import of the same file is a no-op', async () => {
    const r = await cli('inventory', 'import', '--source', 'kubernetes', '--scope', 'prod-eu', join(FIXTURES, 'kubernetes', 'list.json'));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /kubernetes:prod-eu: import imp_\S+: 13 records, 13 added, 0 changed, 0 removed/);
    const byNative = await cli('inventory', 'get', 'k8s://prod-eu/namespaces/payments-prod/serviceaccounts/payments-api', '--json');
    assert.equal(byNative.code, 0, byNative.stderr);
    const found = JSON.parse(byNative.stdout).items as { kind: string; owner: string; id: string }[];
    assert.deepEqual(found.map((i) => [i.kind, i.owner]), [['service-account', 'team-payments']]);
    assert.equal(JSON.parse((await cli('inventory', 'get', found[0]!.id, '--json')).stdout).nativeId,
      'k8s://prod-eu/namespaces/payments-prod/serviceaccounts/payments-api');
    const missing = await cli('inventory', 'get', 'arn:aws:iam::1:user/nobody');
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no inventory item has native id/);
    const again = await cli('inventory', 'import', '--source', 'kubernetes', '--scope', 'prod-eu', join(FIXTURES, 'kubernetes', 'list.json'), '--json');
    assert.equal(again.code, 0, again.stderr);
    assert.equal(JSON.parse(again.stdout).duplicate, true);
  });

  test('usage errors exit 2 and name the flag; a bad export exits 2 and imports nothing', async () => {
    const cases: [string[], RegExp][] = [
      [['inventory', 'import', join(FIXTURES, 'aws', 'credential-report.csv')], /--source: is required/],
      [['inventory', 'import', '--source', 'ldap', 'x'], /--source: "ldap" is not a known export kind/],
      [['inventory', 'import', '--source', 'kubernetes'], /FILE: is required/],
      [['inventory', 'import', '--source', 'kubernetes', '/nonexistent/list.json'], /FILE: cannot read/],
      [['inventory', 'import', '--source', 'aws-credential-report', join(FIXTURES, 'aws', 'credential-report-missing-columns.csv')], /missing columns: mfa_active/],
      [['posture', '--by', 'color'], /--by: must be one of tier, env, owner, source/],
      [['drift', '--since', 'last tuesday'], /since: must be a duration/],
      [['posture', '--history', '--metric', 'happiness'], /--metric: must be one of static_credential_ratio/],
      [['posture', '--metric', 'blast_radius'], /--metric: only with --history/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(...args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
    const imports = await cli('inventory', 'imports', '--json');
    assert.equal(JSON.parse(imports.stdout).items.length, 1);
  });

  test('posture --json, --by tier, --hygiene and the fix plan (valid sh, never run)', async () => {
    const p = await cli('posture', '--json');
    assert.equal(p.code, 0, p.stderr);
    assert.deepEqual(JSON.parse(p.stdout).metrics.map((m: { id: string }) => m.id).sort(), [
      'blast_radius', 'credential_half_life_days', 'exception_debt', 'ownership_coverage', 'privilege_right_sizing',
      'revocation_mttr_ms', 'static_credential_ratio',
    ]);
    const text = await cli('posture', '--by', 'tier');
    assert.match(text.stdout, /Static credential ratio/);
    const history = await cli('posture', '--history', '--metric', 'static_credential_ratio');
    assert.equal(history.code, 0, history.stderr);
    assert.match(history.stdout, /static_credential_ratio\s+\d/);
    assert.equal(JSON.parse((await cli('posture', '--history', '--json')).stdout).items.length > 0, true);
    const hygiene = await cli('posture', '--hygiene');
    assert.match(hygiene.stdout, /kube-system\/orphan-token/);
    const dir = tempDir('tessera-fixplan-');
    const out = join(dir, 'fix.sh');
    const plan = await cli('posture', '--fix-plan', '--out', out);
    assert.equal(plan.code, 0, plan.stderr);
    const script = readFileSync(out, 'utf8');
    assert.match(script, /^#!\/bin\/sh\n/);
    assert.match(script, /kubectl .*delete secret .*'orphan-token'/);
    assert.equal(statSync(out).mode & 0o777, 0o700);
    execFileSync('sh', ['-n', out]);
  });

  test('kubectl … | tessera inventory import --source kubernetes - (standard input of the real binary)', async () => {
    const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', join(import.meta.dirname, '..', '..', 'src', 'cli', 'main.ts'),
      'inventory', 'import', '--source', 'kubernetes', '--scope', 'from-stdin', '-', '--server', t.url, '--data', t.dataDir], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    createReadStream(join(FIXTURES, 'kubernetes', 'list.json')).pipe(child.stdin);
    const [code] = await once(child, 'close') as [number];
    assert.equal(code, 0, stderr);
    assert.match(stdout, /kubernetes:from-stdin: import imp_\S+: 13 records, 13 added/);
  });

  test('a large import reports progress as it goes; an error found after the progress began still exits 2 and imports nothing', async () => {
    const dir = tempDir('tessera-big-');
    const sa = (i: number) => `{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"sa-${i}","namespace":"big","uid":"u-${i}"}}`;
    const items = Array.from({ length: 12_000 }, (_, i) => sa(i));
    writeFileSync(join(dir, 'big.json'), `{"apiVersion":"v1","items":[${items.join(',')}],"kind":"List","metadata":{}}`);
    const ok = await cli('inventory', 'import', '--source', 'kubernetes', '--scope', 'big', join(dir, 'big.json'));
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stderr, /imported 10,000 records…/);
    assert.match(ok.stdout, /12000 records, 12000 added/);
    // The same plus a duplicate at the very end: refused after progress was already streamed.
    writeFileSync(join(dir, 'dup.json'), `{"apiVersion":"v1","items":[${[...items, sa(3)].join(',')}],"kind":"List","metadata":{}}`);
    const dup = await cli('inventory', 'import', '--source', 'kubernetes', '--scope', 'big-dup', join(dir, 'dup.json'));
    assert.equal(dup.code, 2, dup.stderr);
    assert.match(dup.stderr, /imported 10,000 records…/);
    assert.match(dup.stderr, /appears twice|duplicate/);
    const list = await cli('inventory', 'imports', '--json');
    assert.ok(!JSON.parse(list.stdout).items.some((i: { feed: string }) => i.feed === 'kubernetes:big-dup'));
  });

  test('drift after a newer export: markdown by default, JSON with --json', async () => {
    const since = new Date(Date.now() - 1).toISOString();
    const r = await cli('inventory', 'import', '--source', 'kubernetes', '--scope', 'prod-eu', join(FIXTURES, 'kubernetes', 'list-v2.json'));
    assert.equal(r.code, 0, r.stderr);
    const md = await cli('drift', '--since', since);
    assert.equal(md.code, 0, md.stderr);
    assert.match(md.stdout, /^# Tessera drift report/);
    assert.match(md.stdout, /## New identities \(1\)[\s\S]*refunds-worker/);
    const json = JSON.parse((await cli('drift', '--since', since, '--json')).stdout);
    assert.deepEqual(json.removed.map((i: { nativeId: string }) => i.nativeId), ['k8s://prod-eu/namespaces/kube-system/secrets/orphan-token']);
  });
});
