// `tessera server` over TLS with certificates made by the real openssl CLI, and the start-up
// refusals for transport and config mistakes, each as a real process.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { startServerProcess, runCliProcess, type CliResult } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';
import { exitCodeOf } from '../../src/cli/exit-code.ts';
import { EXIT } from '../../src/cli/io.ts';

interface Pki { dir: string; caCert: string; cert: string; key: string; otherKey: string }

function openssl(dir: string, ...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A throw-away CA and a server certificate for 127.0.0.1 (an IP SAN, as clients check it). */
function makePki(): Pki {
  const dir = tempDir('tessera-pki-');
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl(dir, 'req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=Tessera Test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  openssl(dir, 'req', '-new', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=tessera test server');
  writeFileSync(join(dir, 'server.ext'), [
    'subjectAltName=IP:127.0.0.1', 'extendedKeyUsage=serverAuth', 'basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature', '',
  ].join('\n'));
  openssl(dir, 'x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial',
    '-out', 'server.crt', '-days', '1', '-extfile', 'server.ext');
  openssl(dir, 'genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'other.key');
  return { dir, caCert: join(dir, 'ca.crt'), cert: join(dir, 'server.crt'), key: join(dir, 'server.key'), otherKey: join(dir, 'other.key') };
}

interface Answer { status: number; body: string }

function get(url: string, opts: { ca?: Buffer } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const send = u.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(u, { method: 'GET', ...(opts.ca ? { ca: opts.ca } : {}), timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

/** `tessera server` that must refuse to start: the exit code and stderr, and no listening line. */
async function refusedStart(args: string[], dataDir = tempDir('tessera-refuse-')): Promise<CliResult & { dataDir: string }> {
  const r = await runCliProcess(['server', '--data-dir', dataDir, '--log-level', 'warn', ...args]);
  assert.doesNotMatch(r.stdout, /listening on/, `the server started: ${r.stdout}`);
  assert.doesNotMatch(r.stderr, /^\s+at /m, `a stack trace was printed:\n${r.stderr}`);
  return { ...r, dataDir };
}

describe('tessera server over TLS', () => {
  let pki: Pki;
  before(() => { pki = makePki(); });
  after(() => { rmSync(pki.dir, { recursive: true, force: true }); });

  test('serves HTTPS with the given certificate: the URL is https, clients trusting the CA get /healthz, plain HTTP fails', async () => {
    const srv = await startServerProcess({ args: ['--tls-cert', pki.cert, '--tls-key', pki.key] });
    try {
      assert.match(srv.url, /^https:\/\/127\.0\.0\.1:\d+$/);
      assert.match(srv.stdout(), /listening on https:\/\/127\.0\.0\.1:\d+/);
      const ca = readFileSync(pki.caCert);
      const health = await get(`${srv.url}/healthz`, { ca });
      assert.equal(health.status, 200);
      assert.deepEqual(JSON.parse(health.body), { status: 'ok' });
      const ready = await get(`${srv.url}/readyz`, { ca });
      assert.equal(ready.status, 200, ready.body);

      // The certificate really is the one we made: without our CA the handshake is refused.
      await assert.rejects(get(`${srv.url}/healthz`), (e: NodeJS.ErrnoException) => {
        assert.match(String(e.code), /UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED|UNABLE_TO_GET_ISSUER_CERT/);
        return true;
      });
      // Plain HTTP to the TLS port gets no HTTP answer at all.
      const plain = srv.url.replace(/^https:/, 'http:');
      await assert.rejects(get(`${plain}/healthz`), 'plain HTTP was answered on the TLS port');
      // and the server is still fine afterwards
      assert.equal((await get(`${srv.url}/healthz`, { ca })).status, 200);
    } finally {
      assert.equal(await srv.kill(), 0);
      rmSync(srv.dataDir, { recursive: true, force: true });
    }
  });

  test('--tls-cert without --tls-key (and the reverse) is refused, exit 2, naming the missing setting', async () => {
    const noKey = await refusedStart(['--listen', '127.0.0.1:0', '--tls-cert', pki.cert]);
    assert.equal(noKey.code, EXIT.USAGE, noKey.stderr);
    assert.match(noKey.stderr, /tlsKey/);
    assert.match(noKey.stderr, /ERR_CONFIG/);
    const noCert = await refusedStart(['--listen', '127.0.0.1:0', '--tls-key', pki.key]);
    assert.equal(noCert.code, EXIT.USAGE, noCert.stderr);
    assert.match(noCert.stderr, /tlsCert/);
    // refused before anything was created in the data folder
    for (const r of [noKey, noCert]) {
      assert.deepEqual(readdirSync(r.dataDir), []);
      rmSync(r.dataDir, { recursive: true, force: true });
    }
  });

  test('unreadable or unusable TLS files are refused, exit 2, naming the setting, before keys are created', async () => {
    const cases: { args: string[]; field: RegExp; rule: RegExp }[] = [
      { args: ['--tls-cert', join(pki.dir, 'missing.crt'), '--tls-key', pki.key], field: /config tlsCert/, rule: /cannot read .*missing\.crt/ },
      { args: ['--tls-cert', pki.cert, '--tls-key', join(pki.dir, 'missing.key')], field: /config tlsKey/, rule: /cannot read .*missing\.key/ },
      { args: ['--tls-cert', join(pki.dir, 'server.ext'), '--tls-key', pki.key], field: /config tlsCert/, rule: /not a PEM certificate/ },
      { args: ['--tls-cert', pki.cert, '--tls-key', pki.cert], field: /config tlsKey/, rule: /not an unencrypted PEM private key/ },
      { args: ['--tls-cert', pki.cert, '--tls-key', pki.otherKey], field: /config tlsKey/, rule: /not the private key of the certificate/ },
    ];
    for (const c of cases) {
      const r = await refusedStart(['--listen', '127.0.0.1:0', ...c.args]);
      try {
        assert.equal(r.code, EXIT.USAGE, `${c.args.join(' ')}: ${r.stderr}`);
        assert.match(r.stderr, c.field);
        assert.match(r.stderr, c.rule);
        assert.equal(existsSync(join(r.dataDir, 'kek')), false, 'a KEK was created for a server that never started');
        assert.equal(existsSync(join(r.dataDir, 'admin.key')), false);
      } finally {
        rmSync(r.dataDir, { recursive: true, force: true });
      }
    }
  });
});

describe('tessera server refuses plain HTTP off loopback', () => {
  test('--listen 0.0.0.0:0 without TLS: exit 2, naming listen and --insecure-http', async () => {
    const r = await refusedStart(['--listen', '0.0.0.0:0']);
    try {
      assert.equal(r.code, EXIT.USAGE, r.stderr);
      assert.match(r.stderr, /\blisten\b/);
      assert.match(r.stderr, /--insecure-http/);
      assert.match(r.stderr, /ERR_CONFIG/);
      assert.deepEqual(readdirSync(r.dataDir), []);
    } finally {
      rmSync(r.dataDir, { recursive: true, force: true });
    }
  });

  test('the same through TESSERA_LISTEN in the environment', async () => {
    const dataDir = tempDir('tessera-refuse-');
    try {
      const r = await runCliProcess(['server', '--data-dir', dataDir, '--log-level', 'warn'], { TESSERA_LISTEN: '0.0.0.0:0' });
      assert.equal(r.code, EXIT.USAGE, r.stderr);
      assert.match(r.stderr, /\blisten\b.*--insecure-http/s);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('with --insecure-http it starts on all interfaces and answers', async () => {
    const srv = await startServerProcess({ args: ['--listen', '0.0.0.0:0', '--insecure-http'] });
    try {
      const m = /^http:\/\/0\.0\.0\.0:(\d+)$/.exec(srv.url);
      assert.ok(m, `unexpected URL ${srv.url}`);
      assert.equal((await get(`http://127.0.0.1:${m[1]}/healthz`)).status, 200);
    } finally {
      assert.equal(await srv.kill(), 0);
      rmSync(srv.dataDir, { recursive: true, force: true });
    }
  });
});

describe('tessera server with a bad tessera.yaml', () => {
  test('ERR_CONFIG is a usage error (exit 2)', () => {
    assert.equal(exitCodeOf('ERR_CONFIG'), EXIT.USAGE);
  });

  test('an unknown key: exit 2, the key and the file named, nothing created', async () => {
    const dataDir = tempDir('tessera-yaml-');
    const file = join(dataDir, 'tessera.yaml');
    writeFileSync(file, 'trustDomain: example.org\nlisten_addr: 127.0.0.1:0\n');
    try {
      const r = await refusedStart(['--listen', '127.0.0.1:0'], dataDir);
      assert.equal(r.code, EXIT.USAGE, r.stderr);
      assert.match(r.stderr, /unknown key listen_addr/);
      assert.ok(r.stderr.includes(file), `the file is not named: ${r.stderr}`);
      assert.deepEqual(readdirSync(dataDir), ['tessera.yaml']);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('a bad value for a known key: exit 2 naming the key', async () => {
    const dataDir = tempDir('tessera-yaml-');
    writeFileSync(join(dataDir, 'tessera.yaml'), 'logLevel: loud\n');
    try {
      const r = await refusedStart(['--listen', '127.0.0.1:0'], dataDir);
      assert.equal(r.code, EXIT.USAGE, r.stderr);
      assert.match(r.stderr, /logLevel: must be one of/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
