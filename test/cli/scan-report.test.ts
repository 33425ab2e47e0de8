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
