import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { runCli } from '../helpers/cli.ts';

describe('tessera ca', () => {
  let t: TestServer;
  let flags: string[];
  before(async () => {
    t = await startTestServer({ listen: true });
    flags = ['--server', t.url, '--data', t.dataDir];
  });
  after(async () => { await t.close(); });
  const cli = (...args: string[]) => runCli(['ca', ...args, ...flags]);

  test('status shows the active keys, the schedule and a table of keys', async () => {
    const r = await cli('status');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^jwt +active ${t.services.ca.jwtSigner().kid}`, 'm'));
    assert.match(r.stdout, new RegExp(`^x509-ca +active ${t.services.ca.x509Issuer().kid}`, 'm'));
    assert.match(r.stdout, /^KID +PURPOSE +ALG +STATUS +PUBLISHED/m);
    const j = JSON.parse((await cli('status', '--json')).stdout);
    assert.equal(j.jwt.active, t.services.ca.jwtSigner().kid);
    assert.equal(j.keys.length, 3);
  });

  test('rotate --kind jwt rotates the JWT key only; rotate rotates both; audited', async () => {
    const jwt = t.services.ca.jwtSigner().kid;
    const ca = t.services.ca.x509Issuer().kid;
    const r = await cli('rotate', '--kind', 'jwt', '--json');
    assert.equal(r.code, 0, r.stderr);
    assert.notEqual(JSON.parse(r.stdout).jwt.active, jwt);
    assert.equal(t.services.ca.x509Issuer().kid, ca);
    const both = await cli('rotate');
    assert.equal(both.code, 0, both.stderr);
    assert.match(both.stdout, /^rotated all$/m);
    assert.notEqual(t.services.ca.x509Issuer().kid, ca);
    const retired = await t.store.audit.list({ action: 'ca.key.retire', limit: 10 });
    assert.ok(retired.some((e) => e.target === jwt && e.actor === 'admin'));
  });

  test('bad usage exits 2 naming the flag and rotates nothing', async () => {
    const before = await t.store.keys.list();
    for (const [args, message] of [[['rotate', '--kind', 'rsa'], /--kind: must be one of jwt, x509-ca, all/], [['rotate', '--now'], /--now/], [['spin'], /unknown subcommand "spin"/]] as const) {
      const r = await cli(...args);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, message);
    }
    assert.deepEqual(await t.store.keys.list(), before);
  });
});
