// `tessera elevation` from the command line: requested with the admin key, approved only by a
// principal with the approver role, given by --token-file or TESSERA_TOKEN.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { runCli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';

describe('tessera elevation', () => {
  let t: TestServer;
  const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli([...args, '--server', t.url, '--data', t.dataDir], env);
  before(async () => {
    t = await startTestServer({ listen: true });
    const res = await fetch(`${t.url}/v1/identities`, {
      method: 'POST', headers: { ...(await t.adminHeaders()), 'content-type': 'application/json' },
      body: JSON.stringify({ spiffeId: 'spiffe://tessera.local/ns/ops/sa/migrator', owner: 'team-ops', environment: 'prod', tier: 1, ttl: '15m' }),
    });
    assert.equal(res.status, 201, await res.text());
  });
  after(async () => { await t.close(); });

  test('request with the admin key; the admin cannot approve; an approver token can (file or environment)', async () => {
    const request = async () => {
      const r = await cli(['elevation', 'request', '--subject', 'spiffe://tessera.local/ns/ops/sa/migrator', '--role', 'admin', '--reason', 'schema migration', '--json']);
      assert.equal(r.code, 0, r.stderr);
      return (JSON.parse(r.stdout) as { id: string }).id;
    };
    const first = await request();
    const asAdmin = await cli(['elevation', 'approve', first]);
    assert.equal(asAdmin.code, 1, asAdmin.stderr);
    assert.match(asAdmin.stderr, /ERR_FORBIDDEN/);

    const approver = await t.tokenFor(['approver'], 'alice@example.com');
    const file = join(tempDir('tessera-approver-'), 'token');
    writeFileSync(file, `${approver}\n`);
    const byFile = await cli(['elevation', 'approve', first, '--token-file', file, '--json']);
    assert.equal(byFile.code, 0, byFile.stderr);
    assert.equal(JSON.parse(byFile.stdout).status, 'approved');

    const second = await request();
    const byEnv = await cli(['elevation', 'deny', second, '--json'], { TESSERA_TOKEN: approver });
    assert.equal(byEnv.code, 0, byEnv.stderr);
    assert.equal(JSON.parse(byEnv.stdout).status, 'denied');

    const missing = await cli(['elevation', 'approve', second, '--token-file', join(tempDir('x-'), 'nope')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--token-file: cannot read/);
  });
});
