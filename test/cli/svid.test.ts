import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, runCliProcess } from '../helpers/cli.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { tempDir } from '../helpers/test-store.ts';
import { opensslOk } from '../ca/x509/test-ca.ts';

const payments = 'spiffe://tessera.local/ns/prod/sa/payments';

describe('tessera svid x509', () => {
  let t: TestServer;
  let env: NodeJS.ProcessEnv;
  let root: string;
  before(async () => {
    t = await startTestServer({ listen: true });
    env = { TESSERA_SERVER: t.url, TESSERA_DATA: t.dataDir };
    root = tempDir('tessera-svid-');
    const res = await t.app.inject({ method: 'POST', url: '/v1/identities', headers: await t.adminHeaders(),
      payload: { spiffeId: payments, owner: 'team-pay', environment: 'prod', tier: 1, ttl: '1h' } });
    assert.equal(res.statusCode, 201, res.body);
  });
  after(async () => { await t.close(); rmSync(root, { recursive: true, force: true }); });

  /** The files a workload would use, checked the way a relying party checks them. */
  function checkOut(dir: string, keyType: string, dnsNames: string[] = []) {
    const svidPem = readFileSync(join(dir, 'svid.pem'), 'utf8');
    const bundle = join(dir, 'bundle.pem');
    // The leaf first, then any intermediates: openssl takes the chain from the same file.
    assert.match(opensslOk(['verify', '-CAfile', bundle, '-untrusted', join(dir, 'svid.pem'), join(dir, 'svid.pem')]), /: OK/);
    const leaf = new X509Certificate(svidPem);
    assert.equal(leaf.subjectAltName, [`URI:${payments}`, ...dnsNames.map((d) => `DNS:${d}`)].join(', '));
    assert.equal(leaf.ca, false);
    const keyPem = readFileSync(join(dir, 'svid.key'), 'utf8');
    assert.match(keyPem, /^-----BEGIN PRIVATE KEY-----/);
    const key = createPrivateKey(keyPem);
    assert.ok(leaf.checkPrivateKey(key));
    assert.equal(key.asymmetricKeyType, keyType);
    assert.equal(statSync(join(dir, 'svid.key')).mode & 0o777, 0o600);
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    assert.deepEqual(readdirSync(dir).sort(), ['bundle.pem', 'svid.key', 'svid.pem']);
    return leaf;
  }

  test('default key type (P-256): writes svid.pem, svid.key (0600), bundle.pem that openssl verifies', async () => {
    const dir = join(root, 'default');
    const r = await runCli(['svid', 'x509', '--identity', payments, '--out', dir, '--ttl', '5m'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`X509-SVID for ${payments.replace(/[/.]/g, '\\$&')} \\(serial [0-9a-f]{32}, expires `));
    const leaf = checkOut(dir, 'ec');
    const lifetime = new Date(leaf.validTo).getTime() - Date.now();
    assert.ok(lifetime <= 300_000 && lifetime > 240_000, String(lifetime));

    // The private key never left: the audit event of the issuance names the key type, not the key.
    const ev = await t.store.audit.last();
    assert.equal(ev?.action, 'svid.x509.issue');
    assert.doesNotMatch(ev!.details, /PRIVATE KEY/);
  });

  for (const [keyType, nodeType] of [['ed25519', 'ed25519'], ['rsa-2048', 'rsa'], ['ec-p384', 'ec']] as const) {
    test(`--key-type ${keyType} --json; running again replaces the files`, async () => {
      const dir = join(root, keyType);
      const first = await runCli(['svid', 'x509', '--identity', payments, '--out', dir, '--key-type', keyType, '--json'], env);
      assert.equal(first.code, 0, first.stderr);
      const j = JSON.parse(first.stdout);
      assert.equal(j.spiffeId, payments);
      assert.equal(j.keyType, keyType);
      assert.equal(j.files.key, join(dir, 'svid.key'));
      const leaf = checkOut(dir, nodeType);
      assert.equal(BigInt(`0x${leaf.serialNumber}`), BigInt(`0x${j.serial}`));
      const second = await runCli(['svid', 'x509', '--identity', payments, '--out', dir, '--key-type', keyType, '--json'], env);
      assert.equal(second.code, 0, second.stderr);
      assert.notEqual(JSON.parse(second.stdout).serial, j.serial);
      checkOut(dir, nodeType);
    });
  }

  test('--dns NAME (repeatable): the certificate serves those names; a bad name exits 2, nothing written', async () => {
    const dir = join(root, 'webhook');
    const names = ['tessera.tessera-system.svc', 'tessera.tessera-system.svc.cluster.local'];
    const r = await runCli(['svid', 'x509', '--identity', payments, '--out', dir, '--dns', names[0]!, '--dns', names[1]!], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /DNS names: tessera\.tessera-system\.svc, tessera\.tessera-system\.svc\.cluster\.local/);
    const leaf = checkOut(dir, 'ec', names);
    assert.equal(leaf.checkHost(names[0]!), names[0]);
    const svidPem = join(dir, 'svid.pem');
    assert.match(opensslOk(['verify', '-CAfile', join(dir, 'bundle.pem'), '-untrusted', svidPem, '-verify_hostname', names[0]!, svidPem]), /: OK/);
    const json = await runCli(['svid', 'x509', '--identity', payments, '--out', dir, '--dns', names[0]!, '--json'], env);
    assert.deepEqual(JSON.parse(json.stdout).dnsNames, [names[0]]);

    const badDir = join(root, 'webhook-bad');
    const bad = await runCli(['svid', 'x509', '--identity', payments, '--out', badDir, '--dns', '*.tessera-system.svc'], env);
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /dnsNames: "\*\.tessera-system\.svc" must not be a wildcard/);
    assert.equal(existsSync(badDir), false);
    const ev = await t.store.audit.last();
    assert.equal(ev?.action, 'svid.x509.issue');
    assert.equal(ev?.outcome, 'denied');
  });

  test('the real binary works too', async () => {
    const dir = join(root, 'process');
    const r = await runCliProcess(['svid', 'x509', '--identity', payments, '--out', dir], env);
    assert.equal(r.code, 0, r.stderr);
    checkOut(dir, 'ec');
  });

  test('bad usage: exit 2 naming the flag; nothing written, nothing asked of the server', async () => {
    const seq = (await t.store.audit.head()).seq;
    const dir = join(root, 'bad');
    const cases: [string[], RegExp][] = [
      [['svid', 'x509', '--out', dir], /--identity/],
      [['svid', 'x509', '--identity', payments], /--out/],
      [['svid', 'x509', '--identity', payments, '--out', dir, '--key-type', 'rsa-1024'], /--key-type: must be one of ec-p256/],
      [['svid', 'x509', '--identity', payments, '--out', dir, '--bogus'], /--bogus/],
      [['svid', 'x509', '--identity'], /--identity/],
      [['svid', 'jwt'], /unknown subcommand "jwt"/],
      [['svid'], /Usage: tessera svid/],
    ];
    for (const [args, msg] of cases) {
      const r = await runCli(args, env);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, msg, args.join(' '));
    }
    assert.equal(existsSync(dir), false);
    assert.equal((await t.store.audit.head()).seq, seq);
  });

  test('refusals from the server: an unknown identity exits 1, a bad TTL exits 2; nothing written', async () => {
    const dir = join(root, 'refused');
    const unknown = await runCli(['svid', 'x509', '--identity', 'spiffe://tessera.local/nobody', '--out', dir], env);
    assert.equal(unknown.code, 1, unknown.stderr);
    assert.match(unknown.stderr, /no identity spiffe:\/\/tessera\.local\/nobody \[ERR_NOT_FOUND\]/);
    const tooLong = await runCli(['svid', 'x509', '--identity', payments, '--out', dir, '--ttl', '2h', '--json'], env);
    assert.equal(tooLong.code, 2, tooLong.stderr);
    assert.equal(JSON.parse(tooLong.stderr).error.code, 'ERR_TTL_ABOVE_TIER_MAX');
    assert.equal(existsSync(dir), false);
  });

  test('an existing file in --out that is not ours is left alone', async () => {
    const dir = join(root, 'shared');
    const r0 = await runCli(['svid', 'x509', '--identity', payments, '--out', dir], env);
    assert.equal(r0.code, 0, r0.stderr);
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    const r = await runCli(['svid', 'x509', '--identity', payments, '--out', dir], env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(join(dir, 'notes.txt'), 'utf8'), 'mine');
  });

  test('--help for the verb and the subcommand', async () => {
    for (const args of [['svid', '--help'], ['svid', 'x509', '--help']]) {
      const r = await runCli(args, env);
      assert.equal(r.code, 0);
      assert.match(r.stdout, /Usage: tessera svid x509/);
      assert.match(r.stdout, /never/);
    }
    const top = await runCli(['--help'], env);
    assert.match(top.stdout, /svid\s+get an X509-SVID/);
  });
});
