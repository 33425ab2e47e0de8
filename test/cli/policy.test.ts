import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { tempDir } from '../helpers/test-store.ts';

const POLICY = `name: deny-dev-to-payments
owner: team-payments
effect: deny
match:
  actions: [token.exchange]
  audiences: ["https://payments.*"]
condition: subject.environment != "prod"
description: only prod identities may call payments
`;
const CASES = `name: prod may call payments
input: { action: token.exchange, subject: { spiffeId: "spiffe://tessera.local/prod/api", environment: prod }, audience: https://payments.internal }
expect: allow
---
name: dev may not call payments
input: { action: token.exchange, subject: { spiffeId: "spiffe://tessera.local/dev/api", environment: dev }, audience: [https://payments.internal] }
expect: deny
`;

describe('tessera policy test (offline)', () => {
  let dir: string;
  before(() => { dir = tempDir('tessera-poltest-'); });
  after(() => { rmSync(dir, { recursive: true, force: true }); });

  test('passing cases exit 0; --json reports each case', async () => {
    const d = join(dir, 'ok');
    mkdirSync(d);
    writeFileSync(join(d, 'policies.yaml'), POLICY);
    writeFileSync(join(d, 'cases.yaml'), CASES);
    const r = await runCli(['policy', 'test', d, '--json']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const out = JSON.parse(r.stdout);
    assert.deepEqual([out.passed, out.failed], [2, 0]);
    assert.deepEqual(out.results[1].policies, ['deny-dev-to-payments']);
  });

  test('a failing case exits 1 naming it; --no-defaults drops the built-in allow', async () => {
    const d = join(dir, 'fail');
    mkdirSync(d);
    writeFileSync(join(d, 'policies.yaml'), POLICY);
    writeFileSync(join(d, 'cases.yaml'), CASES.replace('expect: deny', 'expect: allow'));
    const r = await runCli(['policy', 'test', d]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /FAIL dev may not call payments .*expected allow, got deny/);
    assert.match(r.stdout, /1 passed, 1 failed/);
    writeFileSync(join(d, 'cases.yaml'), CASES);
    const nd = await runCli(['policy', 'test', d, '--no-defaults', '--json']);
    assert.equal(nd.code, 1);
    assert.equal(JSON.parse(nd.stdout).results[0].actual, 'deny');
  });

  test('bad input exits 2 naming the problem: missing DIR, bad case, bad policy, unknown flag', async () => {
    assert.equal((await runCli(['policy', 'test'])).code, 2);
    const d = join(dir, 'bad');
    mkdirSync(d);
    writeFileSync(join(d, 'cases.yaml'), 'name: x\ninput: { action: token.exchange, subject: s, bogus: 1 }\nexpect: allow\n');
    const bad = await runCli(['policy', 'test', d]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /cases\.yaml#1\.input\.bogus/);
    writeFileSync(join(d, 'cases.yaml'), CASES);
    writeFileSync(join(d, 'p.yaml'), POLICY.replace('subject.environment != "prod"', 'subject.environment !='));
    const cel = await runCli(['policy', 'test', d]);
    assert.equal(cel.code, 2);
    assert.match(cel.stderr, /deny-dev-to-payments/);
    const flag = await runCli(['policy', 'test', d, '--nope']);
    assert.equal(flag.code, 2);
    assert.match(flag.stderr, /--nope/);
  });
});

describe('tessera policy (against a server)', () => {
  let t: TestServer;
  let flags: string[];
  let dir: string;
  before(async () => {
    t = await startTestServer({ listen: true });
    flags = ['--server', t.url, '--data', t.dataDir];
    dir = tempDir('tessera-polcli-');
  });
  after(async () => { await t.close(); rmSync(dir, { recursive: true, force: true }); });
  const cli = (...args: string[]) => runCli(['policy', ...args, ...flags]);

  test('apply, list, get, explain, delete', async () => {
    const file = join(dir, 'p.yaml');
    writeFileSync(file, POLICY);
    const applied = await cli('apply', '-f', file);
    assert.equal(applied.code, 0, applied.stderr);
    assert.match(applied.stdout, /applied policy deny-dev-to-payments/);
    const list = JSON.parse((await cli('list', '--json')).stdout) as { name: string; source: string }[];
    assert.ok(list.some((p) => p.name === 'deny-dev-to-payments' && p.source === 'the store'));
    assert.match((await cli('get', 'deny-dev-to-payments')).stdout, /only prod identities may call payments/);

    const create = await t.app.inject({ method: 'POST', url: '/v1/identities', headers: await t.adminHeaders(),
      payload: { spiffeId: 'spiffe://tessera.local/dev/api', owner: 'a', environment: 'dev', tier: 3, ttl: '1h' } });
    assert.equal(create.statusCode, 201, create.body);
    const ex = await cli('explain', '--action', 'token.exchange', '--subject', 'spiffe://tessera.local/dev/api', '--audience', 'https://payments.internal');
    assert.equal(ex.code, 1, 'a denial exits 1');
    assert.match(ex.stdout, /^DENY: only prod identities may call payments/);
    assert.match(ex.stdout, /✓ deny-dev-to-payments/);
    const other = await cli('explain', '--action', 'token.exchange', '--subject', 'spiffe://tessera.local/dev/api', '--audience', 'https://orders.internal', '--json');
    assert.equal(other.code, 0);
    assert.equal(JSON.parse(other.stdout).trace.find((x: { policy: string }) => x.policy === 'deny-dev-to-payments').outcome, 'not-applicable');
    assert.equal((await cli('explain', '--action', 'token.exchange', '--subject', 'spiffe://tessera.local/dev/api', '--context', '[1]')).code, 2);

    assert.equal((await cli('delete', 'deny-dev-to-payments')).code, 0);
    assert.equal((await cli('get', 'deny-dev-to-payments')).code, 1);
  });

  test('apply of a bad file is refused with the CEL message; nothing stored', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, POLICY.replace('name: deny-dev-to-payments', 'name: broken').replace('!= "prod"', '!='));
    const r = await cli('apply', '-f', file);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /broken/);
    assert.equal(await t.store.policies.get('broken'), undefined);
  });
});
