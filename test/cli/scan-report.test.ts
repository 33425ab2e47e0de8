// `tessera scan --report-to`: the whole leak response from the command line, against a real
// server on loopback — a leaked tsk_ key in a repository is revoked and introspects inactive.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startTestServer } from '../helpers/test-server.ts';
import { runCli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';

test('a leaked tsk_ key found by `tessera scan --report-to` is revoked at once and audited without the secret', async () => {
  const t = await startTestServer({ listen: true });
  const repo = tempDir('tessera-leak-');
  try {
    const admin = { ...(await t.adminHeaders()), 'content-type': 'application/json' };
    const id = await fetch(`${t.url}/v1/identities`, { method: 'POST', headers: admin, body: JSON.stringify({
      spiffeId: 'spiffe://tessera.local/ns/dev/sa/legacy', owner: 'team-a', environment: 'dev', tier: 3, ttl: '1h' }) });
    assert.equal(id.status, 201, await id.text());
    const created = await fetch(`${t.url}/v1/identities/${encodeURIComponent('spiffe://tessera.local/ns/dev/sa/legacy')}/keys`,
      { method: 'POST', headers: admin, body: JSON.stringify({ expires: '10d' }) });
    assert.equal(created.status, 201);
    const { key } = await created.json() as { key: string };
    mkdirSync(join(repo, 'deploy'));
    writeFileSync(join(repo, 'deploy', 'app.env'), `LEGACY_API_KEY=${key}\n`);

    const r = await runCli(['scan', repo, '--report-to', t.url, '--data', t.dataDir]);
    assert.equal(r.code, 1, r.stderr);            // the gate still fails: the secret is in the repository
    assert.match(r.stderr, /revoked static-key of spiffe:\/\/tessera\.local\/ns\/dev\/sa\/legacy/);
    assert.ok(!r.stdout.includes(key) && !r.stderr.includes(key), 'the key is never printed');

    const introspect = await fetch(`${t.url}/oauth2/introspect`, {
      method: 'POST', headers: { authorization: admin.authorization, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: key }).toString() });
    assert.deepEqual(await introspect.json(), { active: false });
    const events = await t.store.audit.list({ limit: 50, newestFirst: true });
    assert.ok(events.some((e) => e.action === 'scan.report' && e.outcome === 'success'));
    assert.ok(events.some((e) => e.action === 'revocation.create' && /scan/.test(e.details)));
    assert.ok(events.every((e) => !e.details.includes(key.slice(4, 34))), 'no audit event holds the secret');
  } finally {
    await t.close();
    rmSync(repo, { recursive: true, force: true });
  }
});

test('a CI job reports with its own workload token (--token-file or TESSERA_TOKEN), not the admin key', async () => {
  const t = await startTestServer({ listen: true });
  const repo = tempDir('tessera-leak-ci-');
  try {
    const admin = { ...(await t.adminHeaders()), 'content-type': 'application/json' };
    const spiffeId = 'spiffe://tessera.local/ns/ci/sa/legacy';
    const id = await fetch(`${t.url}/v1/identities`, { method: 'POST', headers: admin, body: JSON.stringify({ spiffeId, owner: 'team-ci', environment: 'dev', tier: 3, ttl: '1h' }) });
    assert.equal(id.status, 201, await id.text());
    const mint = async () => {
      const res = await fetch(`${t.url}/v1/identities/${encodeURIComponent(spiffeId)}/keys`, { method: 'POST', headers: admin, body: JSON.stringify({ expires: '10d' }) });
      return ((await res.json()) as { key: string }).key;
    };
    const [first, second] = [await mint(), await mint()];
    const ciToken = await t.tokenFor(['workload'], 'spiffe://tessera.local/ns/ci/sa/pipeline');
    const tokenFile = join(repo, '..', `ci-token-${Date.now()}`);
    writeFileSync(tokenFile, `${ciToken}\n`);
    // No --data: the admin key is nowhere near this job.
    writeFileSync(join(repo, 'one.env'), `KEY=${first}\n`);
    const byFile = await runCli(['scan', join(repo, 'one.env'), '--report-to', t.url, '--token-file', tokenFile, '--data', join(repo, 'no-such-dir')]);
    assert.equal(byFile.code, 1, byFile.stderr);
    assert.match(byFile.stderr, /revoked static-key of spiffe:\/\/tessera\.local\/ns\/ci\/sa\/legacy/);
    writeFileSync(join(repo, 'two.env'), `KEY=${second}\n`);
    const byEnv = await runCli(['scan', join(repo, 'two.env'), '--report-to', t.url, '--data', join(repo, 'no-such-dir')], { TESSERA_TOKEN: ciToken });
    assert.match(byEnv.stderr, /revoked static-key/, byEnv.stderr);
    const events = await t.store.audit.list({ limit: 50, newestFirst: true });
    assert.ok(events.filter((e) => e.action === 'scan.report').every((e) => e.actor === 'spiffe://tessera.local/ns/ci/sa/pipeline'));
    // A wrong token is refused and the scan says so (exit 1: the report failed), nothing revoked.
    writeFileSync(join(repo, 'three.env'), `KEY=${await mint()}\n`);
    const bad = await runCli(['scan', join(repo, 'three.env'), '--report-to', t.url], { TESSERA_TOKEN: `${ciToken.slice(0, -4)}AAAA` });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /report to .* failed/);
    const empty = join(repo, '..', `empty-token-${Date.now()}`);
    writeFileSync(empty, '');
    const usage = await runCli(['scan', join(repo, 'three.env'), '--report-to', t.url, '--token-file', empty]);
    assert.match(usage.stderr, /--token-file: .* is empty/);
  } finally {
    await t.close();
    rmSync(repo, { recursive: true, force: true });
  }
});
