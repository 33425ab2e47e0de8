import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import { runCli } from '../helpers/cli.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { tempDir } from '../helpers/test-store.ts';

describe('tessera principal', () => {
  let t: TestServer;
  let files: string;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    t = await startTestServer({ listen: true });
    files = tempDir();
    env = { TESSERA_SERVER: t.url, TESSERA_DATA: t.dataDir };
  });
  after(async () => { await t.close(); rmSync(files, { recursive: true, force: true }); });

  const file = (name: string, content: string) => { const p = join(files, name); writeFileSync(p, content); return p; };

  test('add (JWK or PEM public key), list, disable', async () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwkFile = file('ec.jwk', JSON.stringify(ec.publicKey.export({ format: 'jwk' })));
    const add = await runCli(['principal', 'add', '--id', 'ci', '--role', 'workload', '--role', 'auditor', '--public-key', jwkFile, '--json'], env);
    assert.equal(add.code, 0, add.stderr);
    assert.deepEqual(JSON.parse(add.stdout).roles, ['workload', 'auditor']);

    const ed = generateKeyPairSync('ed25519');
    const pemFile = file('ed.pem', ed.publicKey.export({ format: 'pem', type: 'spki' }) as string);
    const add2 = await runCli(['principal', 'add', '--id', 'edge', '--role', 'workload', '--public-key', pemFile, '--description', 'edge box'], env);
    assert.equal(add2.code, 0, add2.stderr);
    assert.match(add2.stdout, /registered principal edge/);
    assert.equal((await t.store.principals.get('edge'))!.publicJwk.kty, 'OKP');

    const list = await runCli(['principal', 'list', '--json'], env);
    assert.equal(list.code, 0, list.stderr);
    assert.deepEqual(JSON.parse(list.stdout).map((p: { id: string }) => p.id).sort(), ['admin', 'ci', 'edge']);
    const human = await runCli(['principal', 'list'], env);
    assert.match(human.stdout, /^ID\s+ROLES\s+STATUS/m);

    const dis = await runCli(['principal', 'disable', 'ci'], env);
    assert.equal(dis.code, 0, dis.stderr);
    assert.notEqual((await t.store.principals.get('ci'))!.disabledAt, null);
  });

  test('bad usage and bad input: exit 2 naming the flag; a private key file is never sent', async () => {
    const before = (await t.store.principals.list()).length;
    const seq = (await t.store.audit.head()).seq;
    const priv = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const cases: [string[], RegExp][] = [
      [['principal', 'add', '--role', 'workload', '--public-key', file('a.jwk', '{}')], /--id/],
      [['principal', 'add', '--id', 'x', '--public-key', file('b.jwk', '{}')], /--role/],
      [['principal', 'add', '--id', 'x', '--role', 'workload'], /--public-key/],
      [['principal', 'add', '--id', 'x', '--role', 'workload', '--public-key', file('p.pem', priv.export({ format: 'pem', type: 'pkcs8' }) as string)], /private key/],
      [['principal', 'add', '--id', 'x', '--role', 'workload', '--public-key', file('p.jwk', JSON.stringify(priv.export({ format: 'jwk' })))], /private JWK/],
      [['principal', 'add', '--id', 'x', '--role', 'workload', '--public-key', file('junk', 'junk')], /neither a JWK nor a PEM/],
      [['principal', 'add', '--id', 'x', '--role', 'workload', '--public-key', join(files, 'missing')], /cannot read/],
      [['principal', 'add', '--id', 'x', '--bogus'], /--bogus/],
      [['principal', 'disable'], /ID/],
      [['principal', 'frobnicate'], /unknown subcommand/],
    ];
    for (const [args, msg] of cases) {
      const r = await runCli(args, env);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, msg);
    }
    // Rules checked by the server come back as exit 2 with the field named.
    const bad = await runCli(['principal', 'add', '--id', 'UPPER', '--role', 'workload', '--public-key',
      file('ok.jwk', JSON.stringify(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' })))], env);
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /id:/);
    assert.equal((await t.store.principals.list()).length, before);
    // Only the one server-side refusal (and the token exchange for it) was recorded.
    const events = await t.store.audit.list({ afterSeq: seq, limit: 100 });
    assert.ok(events.every((e) => ['principal.create', 'token.issue'].includes(e.action)), JSON.stringify(events.map((e) => e.action)));
    assert.equal(events.filter((e) => e.action === 'principal.create').length, 1);
  });

  test('--help for the verb and each subcommand', async () => {
    for (const args of [['principal', '--help'], ['principal', 'add', '--help'], ['principal', 'list', '--help'], ['principal', 'disable', '--help']]) {
      const r = await runCli(args, env);
      assert.equal(r.code, 0);
      assert.match(r.stdout, /Usage: tessera principal/);
    }
  });
});
