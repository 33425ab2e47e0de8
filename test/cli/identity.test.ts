import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { runCli, runCliProcess, startServerProcess } from '../helpers/cli.ts';

const payments = 'spiffe://tessera.local/ns/prod/sa/payments';

describe('tessera identity', () => {
  let t: TestServer;
  let flags: string[];
  before(async () => {
    t = await startTestServer({ listen: true });
    flags = ['--server', t.url, '--data', t.dataDir];
  });
  after(async () => { await t.close(); });
  const cli = (...args: string[]) => runCli(['identity', ...args, ...flags]);
  const count = () => t.store.identities.count();

  test('create --json prints the identity and stores it', async () => {
    const r = await cli('create', '--spiffe-id', payments, '--owner', 'team-payments', '--env', 'prod', '--tier', '1', '--ttl', '15m',
      '--label', 'team=pay', '--label', 'region=eu', '--description', 'payments API', '--json');
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.spiffeId, payments);
    assert.equal(j.maxTtl, 900);
    assert.deepEqual(j.labels, { team: 'pay', region: 'eu' });
    assert.equal((await t.store.identities.getBySpiffeId(payments))?.owner, 'team-payments');
    assert.equal((await t.store.audit.last())?.action, 'identity.create');
  });

  test('get prints key: value lines by SPIFFE ID and by id', async () => {
    const r = await cli('get', payments);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^id: +\S+/m);
    assert.match(r.stdout, /^spiffe id: +spiffe:\/\/tessera\.local\/ns\/prod\/sa\/payments$/m);
    assert.match(r.stdout, /^owner: +team-payments$/m);
    assert.match(r.stdout, /^max ttl: +15m \(900s\)$/m);
    assert.match(r.stdout, /^status: +enabled$/m);
    const id = (await t.store.identities.getBySpiffeId(payments))!.id;
    const byId = await cli('get', '--spiffe-id', payments, '--json');
    assert.equal(JSON.parse(byId.stdout).id, id);
    assert.equal(JSON.parse((await cli('get', id, '--json')).stdout).spiffeId, payments);
  });

  test('list prints a table, filters, and pages with --limit/--cursor or --all', async () => {
    for (const n of ['a', 'b', 'c']) {
      const r = await cli('create', '--spiffe-id', `spiffe://tessera.local/batch/${n}`, '--owner', 'team-batch', '--env', 'dev', '--tier', '3', '--ttl', '2d');
      assert.equal(r.code, 0, r.stderr);
    }
    const table = await cli('list', '--owner', 'team-batch');
    assert.equal(table.code, 0, table.stderr);
    const lines = table.stdout.trim().split('\n');
    assert.match(lines[0]!, /^SPIFFE_ID +OWNER +ENV +TIER +MAX_TTL +STATUS +LABELS$/);
    assert.equal(lines.length, 4);
    assert.match(lines[1]!, /^spiffe:\/\/tessera\.local\/batch\/a +team-batch +dev +3 +2d +enabled +-$/);

    const p1 = JSON.parse((await cli('list', '--env', 'dev', '--limit', '2', '--json')).stdout);
    assert.equal(p1.items.length, 2);
    assert.ok(p1.nextCursor);
    const p2 = JSON.parse((await cli('list', '--env', 'dev', '--limit', '2', '--cursor', p1.nextCursor, '--json')).stdout);
    assert.equal(p2.items.length, 1);
    assert.equal(p2.nextCursor, null);
    const all = JSON.parse((await cli('list', '--env', 'dev', '--limit', '1', '--all', '--json')).stdout);
    assert.deepEqual(all.items.map((i: { spiffeId: string }) => i.spiffeId.split('/').pop()), ['a', 'b', 'c']);
    const labelled = JSON.parse((await cli('list', '--label', 'team=pay', '--label', 'region=eu', '--json')).stdout);
    assert.deepEqual(labelled.items.map((i: { spiffeId: string }) => i.spiffeId), [payments]);
    const more = await cli('list', '--env', 'dev', '--limit', '1');
    assert.match(more.stdout, /--cursor \S+/);
  });

  test('update, disable, enable and delete', async () => {
    const u = await cli('update', payments, '--owner', 'team-z', '--ttl', '30m', '--clear-labels', '--json');
    assert.equal(u.code, 0, u.stderr);
    assert.equal(JSON.parse(u.stdout).owner, 'team-z');
    assert.deepEqual(JSON.parse(u.stdout).labels, {});
    const d = await cli('disable', payments);
    assert.equal(d.code, 0, d.stderr);
    assert.match(d.stdout, /^status: +disabled at \S+ by admin$/m);
    assert.notEqual((await t.store.identities.getBySpiffeId(payments))?.disabledAt, null);
    const e = await cli('enable', '--spiffe-id', payments, '--json');
    assert.equal(JSON.parse(e.stdout).disabledAt, null);
    const del = await cli('delete', 'spiffe://tessera.local/batch/c');
    assert.equal(del.code, 0, del.stderr);
    assert.match(del.stdout, /deleted spiffe:\/\/tessera\.local\/batch\/c/);
    assert.equal(await t.store.identities.getBySpiffeId('spiffe://tessera.local/batch/c'), undefined);
  });

  describe('bad input and usage exit 2, name the field, change nothing', () => {
    const cases: [string, string[], RegExp][] = [
      ['missing owner', ['create', '--spiffe-id', 'spiffe://tessera.local/x', '--env', 'prod', '--tier', '1', '--ttl', '15m'], /owner.*\[ERR_OWNER_REQUIRED\]/],
      ['tier-1 TTL above 1h', ['create', '--spiffe-id', 'spiffe://tessera.local/x', '--owner', 'o', '--env', 'prod', '--tier', '1', '--ttl', '2h'], /ttl.*tier 1 allows at most 1h.*\[ERR_TTL_ABOVE_TIER_MAX\]/],
      ['malformed SPIFFE ID', ['create', '--spiffe-id', 'spiffe://tessera.local/x/', '--owner', 'o', '--env', 'prod', '--tier', '1', '--ttl', '15m'], /spiffeId: path must not end with "\/" \[ERR_INVALID_SPIFFE_ID\]/],
      ['exception without expiry', ['create', '--spiffe-id', 'spiffe://tessera.local/x', '--owner', 'o', '--env', 'prod', '--tier', '1', '--ttl', '15m', '--static-exception-reason', 'legacy'], /\[ERR_EXCEPTION_EXPIRY_REQUIRED\]/],
      ['shared across environments', ['create', '--spiffe-id', 'spiffe://tessera.local/batch/a', '--owner', 'o', '--env', 'prod', '--tier', '1', '--ttl', '15m'], /\[ERR_IDENTITY_SHARED_ACROSS_ENVIRONMENTS\]/],
      ['--tier not a number', ['create', '--spiffe-id', 'spiffe://tessera.local/x', '--owner', 'o', '--env', 'prod', '--tier', 'one', '--ttl', '15m'], /--tier: "one" must be a whole number/],
      ['missing --spiffe-id', ['create', '--owner', 'o'], /--spiffe-id: is required/],
      ['unknown flag', ['create', '--colour', 'blue'], /--colour/],
      ['malformed --label', ['create', '--spiffe-id', 'spiffe://tessera.local/x', '--label', 'novalue'], /--label/],
      ['environment change', ['update', 'spiffe://tessera.local/batch/a', '--env', 'prod'], /\[ERR_ENVIRONMENT_IMMUTABLE\]/],
      ['update without fields', ['update', 'spiffe://tessera.local/batch/a'], /nothing to change/],
      ['get without an identity', ['get'], /needs an identity/],
      ['two identities', ['get', 'a', '--spiffe-id', 'b'], /give the identity once/],
      ['stray argument', ['disable', 'a', 'b'], /unexpected argument "b"/],
      ['list --limit 0', ['list', '--limit', '0'], /limit.*\[ERR_INVALID_INPUT\]/],
      ['list --all with --cursor', ['list', '--all', '--cursor', 'x'], /--all: cannot be combined with --cursor/],
      ['unknown subcommand', ['rename'], /unknown command "rename"/],
      ['prototype name as a subcommand', ['toString'], /unknown command "toString"/],
    ];
    for (const [name, args, stderr] of cases) {
      test(name, async () => {
        const before = await count();
        const head = (await t.store.audit.head()).seq;
        const r = await cli(...args);
        assert.equal(r.code, 2, `${r.stdout}${r.stderr}`);
        assert.match(r.stderr, stderr);
        assert.equal(r.stdout, '');
        assert.equal(await count(), before);
        // Only refusals that reached the registry are audited, and only as denied.
        for (const e of await t.store.audit.list({ afterSeq: head, limit: 10 })) {
          if (e.action.startsWith('identity.')) assert.equal(e.outcome, 'denied');
        }
      });
    }

    test('--json errors are machine-readable', async () => {
      const r = await cli('create', '--spiffe-id', 'spiffe://tessera.local/x', '--env', 'prod', '--tier', '1', '--ttl', '15m', '--json');
      assert.equal(r.code, 2);
      const e = JSON.parse(r.stderr).error;
      assert.equal(e.code, 'ERR_OWNER_REQUIRED');
      assert.equal(e.field, 'owner');
    });

    test('an unknown identity exits 1', async () => {
      const r = await cli('get', 'spiffe://tessera.local/none');
      assert.equal(r.code, 1);
      assert.match(r.stderr, /\[ERR_NOT_FOUND\]/);
    });
  });

  test('--help for the verb and every subcommand exits 0; no subcommand exits 2', async () => {
    const verb = await runCli(['identity', '--help']);
    assert.equal(verb.code, 0);
    assert.match(verb.stdout, /create .*\n.*list/s);
    for (const sub of ['create', 'list', 'get', 'update', 'disable', 'enable', 'delete']) {
      const r = await runCli(['identity', sub, '--help']);
      assert.equal(r.code, 0, sub);
      assert.match(r.stdout, new RegExp(`^Usage: tessera identity ${sub}`), sub);
    }
    assert.match((await runCli(['identity', 'create', '--help'])).stdout, /--static-exception-expires/);
    const none = await runCli(['identity']);
    assert.equal(none.code, 2);
  });
});

describe('tessera identity against a real server process', () => {
  test('the README example: create --json, then get', async () => {
    const server = await startServerProcess();
    try {
      const flags = ['--server', server.url, '--data', server.dataDir];
      const r = await runCliProcess(['identity', 'create', '--spiffe-id', payments, '--owner', 'team-payments', '--env', 'prod',
        '--tier', '1', '--ttl', '15m', '--json', ...flags]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(JSON.parse(r.stdout).spiffeId, payments);
      const g = await runCliProcess(['identity', 'get', payments, '--json', ...flags]);
      assert.equal(g.code, 0, g.stderr);
      assert.equal(JSON.parse(g.stdout).owner, 'team-payments');
    } finally {
      await server.kill();
      rmSync(server.dataDir, { recursive: true, force: true });
    }
  });
});
