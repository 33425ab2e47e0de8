import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { runCli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/test-store.ts';
import { parseExportLine } from '../../src/audit/export-audit.ts';
import { ChainChecker } from '../../src/audit/chain-checker.ts';
import { appendEvents, ctxOf } from '../audit/audit-fixtures.ts';

const MAIN = join(import.meta.dirname, '..', '..', 'src', 'cli', 'main.ts');

describe('tessera audit', () => {
  let t: TestServer;
  let flags: string[];
  let scratch: string;
  before(async () => {
    t = await startTestServer({ listen: true });
    flags = ['--server', t.url, '--data', t.dataDir];
    scratch = tempDir('tessera-audit-cli-');
    await appendEvents(t.store, 40, 'seeded.event');
  });
  after(async () => { await t.close(); rmSync(scratch, { recursive: true, force: true }); });
  const cli = (...args: string[]) => runCli(['audit', ...args, ...flags]);

  /** An auditor's copy of the embedded store, taken consistently while the server runs. */
  const copyStore = async (name: string) => {
    const dir = join(scratch, name);
    mkdirSync(dir);
    await t.store.db.exec(`VACUUM INTO '${join(dir, 'tessera.db')}'`);
    return dir;
  };

  test('--help for the verb and each subcommand; usage errors exit 2', async () => {
    for (const sub of [[], ['tail'], ['verify'], ['export']]) {
      const r = await runCli(['audit', ...sub, '--help']);
      assert.equal(r.code, 0);
      assert.match(r.stdout, new RegExp(`^Usage: tessera audit ${sub[0] ?? '<tail'}`));
    }
    assert.equal((await runCli(['audit'])).code, 2);
    const unknown = await runCli(['audit', 'shred']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /shred/);
    const flag = await cli('tail', '--colour', 'red');
    assert.equal(flag.code, 2);
    assert.match(flag.stderr, /--colour/);
  });

  test('tail prints the newest events oldest first; --json gives them as JSON', async () => {
    const r = await cli('tail', '--limit', '3', '--json');
    assert.equal(r.code, 0, r.stderr);
    const head = (await t.store.audit.head()).seq; // read after: getting the admin token is audited
    assert.deepEqual(JSON.parse(r.stdout).map((e: { seq: number }) => e.seq), [head - 2, head - 1, head]);
    const human = await cli('tail', '--limit', '2');
    assert.equal(human.code, 0, human.stderr);
    const lines = human.stdout.trim().split('\n');
    assert.equal(lines.length, 2);
    assert.match(lines[1]!, new RegExp(`^#${(await t.store.audit.head()).seq} `));
  });

  test('tail filters by action, actor and outcome', async () => {
    const r = await cli('tail', '--action', 'seeded.event', '--actor', 'actor-1', '--outcome', 'denied', '--limit', '1000', '--json');
    assert.equal(r.code, 0, r.stderr);
    const events = JSON.parse(r.stdout) as { action: string; actor: string; outcome: string }[];
    assert.ok(events.length > 0);
    for (const e of events) assert.deepEqual([e.action, e.actor, e.outcome], ['seeded.event', 'actor-1', 'denied']);
    assert.match((await cli('tail', '--action', 'no.such')).stdout, /no audit events match/);
  });

  test('tail refuses a bad --limit or --outcome with exit 2, naming the flag', async () => {
    for (const [flag, value] of [['--limit', '0'], ['--limit', '1001'], ['--limit', 'lots'], ['--outcome', 'maybe']] as const) {
      const r = await cli('tail', flag, value);
      assert.equal(r.code, 2, `${flag} ${value}`);
      assert.match(r.stderr, new RegExp(flag));
    }
  });

  test('tail --follow prints new events as they are appended, and stops on SIGINT', async () => {
    const p = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', MAIN, 'audit', 'tail', '--limit', '1', '--follow', '--json', '--action', 'follow.me', ...flags],
      { env: { PATH: process.env.PATH, HOME: process.env.HOME }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { err += d; });
    const exited = new Promise<number | null>((resolve) => p.on('exit', (code) => resolve(code)));
    const waitFor = async (pred: () => boolean, what: string) => {
      for (let i = 0; i < 300 && !pred(); i++) await new Promise((r) => setTimeout(r, 50));
      assert.ok(pred(), `${what}\nstdout: ${out}\nstderr: ${err}`);
    };
    try {
      await t.store.write(async (tx) => tx.audit(ctxOf('f'), { action: 'follow.me', outcome: 'success', target: 'first' }));
      await waitFor(() => out.includes('"first"'), 'the newest matching event is printed first');
      for (const target of ['second', 'third']) {
        await t.store.write(async (tx) => tx.audit(ctxOf('f'), { action: 'follow.me', outcome: 'success', target }));
        await t.store.write(async (tx) => tx.audit(ctxOf('f'), { action: 'other', outcome: 'success', target: 'ignored' }));
      }
      await waitFor(() => out.includes('"third"'), 'followed events arrive');
      p.kill('SIGINT');
      assert.equal(await exited, 0);
      const targets = out.trim().split('\n').map((l) => JSON.parse(l).target);
      assert.deepEqual(targets, ['first', 'second', 'third']);
    } finally {
      if (p.exitCode === null) p.kill('SIGKILL');
    }
  });

  test('verify reports an intact chain with its head and exits 0', async () => {
    const r = await cli('verify');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^audit chain intact: \d+ events, head seq \d+, hash [0-9a-f]{64}$/m);
    const j = await cli('verify', '--json');
    const result = JSON.parse(j.stdout);
    assert.equal(result.ok, true);
    const withHead = await cli('verify', '--expect-head', result.headHash);
    assert.equal(withHead.code, 0, withHead.stderr);
  });

  test('verify refuses a malformed --expect-head with exit 2 and reports an unknown one as broken (exit 1)', async () => {
    const bad = await cli('verify', '--expect-head', 'xyz');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--expect-head/);
    const unknown = await cli('verify', '--expect-head', 'ab'.repeat(32));
    assert.equal(unknown.code, 1);
    assert.match(unknown.stdout, /BROKEN/);
    assert.match(unknown.stdout, /head-mismatch/);
  });

  test('export --out writes a 0600 NDJSON file that verifies, and prints what it wrote', async () => {
    const file = join(scratch, 'audit.ndjson');
    writeFileSync(file, 'old content', { mode: 0o644 });
    const r = await cli('export', '--out', file, '--from', '5', '--to', '25');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /exported 21 events \(seq 5–25\)/);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const events = readFileSync(file, 'utf8').trimEnd().split('\n').map(parseExportLine);
    assert.deepEqual([events[0]!.seq, events.at(-1)!.seq], [5, 25]);
    const checker = new ChainChecker({ start: { seq: 4, hash: events[0]!.prevHash } });
    for (const e of events) checker.push(e);
    assert.deepEqual(checker.finish(), []);
    const last = (await t.store.audit.last())!;
    assert.deepEqual([last.action, last.actor], ['audit.export', 'admin']);
  });

  test('export without --out streams NDJSON to standard output', async () => {
    const r = await cli('export', '--from', '1', '--to', '3');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.trimEnd().split('\n').map((l) => parseExportLine(l).seq), [1, 2, 3]);
  });

  test('export refuses bad ranges with exit 2, naming the flag, and writes no file', async () => {
    const file = join(scratch, 'never.ndjson');
    for (const [args, flag] of [[['--from', '9', '--to', '3'], '--to'], [['--from', 'x'], '--from'], [['--from', '0'], '--from'], [['--to', '-4'], '--to']] as const) {
      const r = await cli('export', '--out', file, ...args);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, new RegExp(flag));
    }
    assert.throws(() => statSync(file));
  });

  test('verify --offline checks a copy of the store without a server, read-only', async () => {
    const dir = await copyStore('intact');
    const db = join(dir, 'tessera.db');
    const before = createHash('sha256').update(readFileSync(db)).digest('hex');
    const r = await runCli(['audit', 'verify', '--offline', '--data', dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /audit chain intact/);
    assert.equal(createHash('sha256').update(readFileSync(db)).digest('hex'), before, 'the copy is not modified');
  });

  test('verify --offline on a tampered copy exits 1 and lists the problems by seq', async () => {
    const dir = await copyStore('tampered');
    const db = new DatabaseSync(join(dir, 'tessera.db'));
    db.exec("UPDATE audit_events SET details = '{}' WHERE seq = 6");
    db.exec('DELETE FROM audit_events WHERE seq = 12');
    db.close();
    const r = await runCli(['audit', 'verify', '--offline', '--data', dir]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /BROKEN: 2 problem/);
    assert.match(r.stdout, /seq 6 +edited/);
    assert.match(r.stdout, /seq 12 +deleted/);
    const j = await runCli(['audit', 'verify', '--offline', '--data', dir, '--json']);
    assert.equal(j.code, 1);
    assert.deepEqual(JSON.parse(j.stdout).problems.map((p: { seq: number }) => p.seq), [6, 12]);
  });

  test('verify --offline refuses a folder without a store, or --server with it (exit 2)', async () => {
    const empty = join(scratch, 'empty');
    mkdirSync(empty);
    const r = await runCli(['audit', 'verify', '--offline', '--data', empty]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--data/);
    writeFileSync(join(empty, 'tessera.db'), 'not a database at all, just text');
    const junk = await runCli(['audit', 'verify', '--offline', '--data', empty]);
    assert.equal(junk.code, 2);
    assert.match(junk.stderr, /not a readable Tessera database/);
    const both = await runCli(['audit', 'verify', '--offline', '--data', t.dataDir, '--server', t.url]);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /--server/);
  });

  test('verify through the server reports a tampered chain with exit 1', async () => {
    await t.store.db.run("UPDATE audit_events SET outcome = 'failure' WHERE seq = 10");
    const r = await cli('verify');
    assert.equal(r.code, 1);
    assert.match(r.stdout, /seq 10 +edited/);
  });
});
