import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { createServer, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { issueX509Svid, parseDnsNames } from '../../../src/ca/x509/index.ts';
import { TesseraError } from '../../../src/shared/errors.ts';
import { scratch, openssl, opensslOk, opensslRoot, intermediateCa, selfSignedCa, certText, pem, type TestCa } from './test-ca.ts';

const ID = 'spiffe://tessera.local/ns/tessera-system/sa/tessera';
const SVC = 'tessera.tessera-system.svc';
const FQDN = 'tessera.tessera-system.svc.cluster.local';

const isInvalid = (rule: RegExp) => (e: unknown) =>
  e instanceof TesseraError && e.code === 'ERR_INVALID_INPUT' && e.details?.field === 'dnsNames' && rule.test(String(e.details.rule)) && /^dnsNames: /.test(e.message);

describe('parseDnsNames', () => {
  test('accepts host names (RFC 1123: digits may lead a label), keeps their order; none → []', () => {
    assert.deepEqual(parseDnsNames(undefined), []);
    assert.deepEqual(parseDnsNames(null), []);
    assert.deepEqual(parseDnsNames([]), []);
    const ok = [SVC, FQDN, 'localhost', '3com.example', 'a-b.c', `${'a'.repeat(63)}.io`, `${'a'.repeat(61)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}`];
    assert.equal(ok.at(-1)!.length, 253);
    assert.deepEqual(parseDnsNames(ok), ok);
    assert.deepEqual(parseDnsNames(Array.from({ length: 10 }, (_, i) => `n${i}.svc`)).length, 10);
  });

  test('refuses, naming dnsNames and the rule', () => {
    const cases: [unknown, RegExp][] = [
      ['tessera.svc', /array/],
      [{ 0: 'a.svc' }, /array/],
      [[42], /string/],
      [Array.from({ length: 11 }, (_, i) => `n${i}.svc`), /at most 10/],
      [[''], /empty/],
      [['*.tessera-system.svc'], /wildcard/],
      [['a.*.svc'], /wildcard/],
      [['Tessera.svc'], /lower case/],
      [['tessera.svc.'], /dot/],
      [['tessera..svc'], /empty label/],
      [['.tessera.svc'], /empty label/],
      [[`${'a'.repeat(64)}.svc`], /63/],
      [[`${'a'.repeat(62)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}`], /253/],
      [['-tessera.svc'], /RFC 1123/],
      [['tessera-.svc'], /RFC 1123/],
      [['tessera_x.svc'], /RFC 1123/],
      [['tes sera.svc'], /RFC 1123/],
      [['tessérà.svc'], /RFC 1123/],
      [['xn--tssr-epa.svc\u0000'], /RFC 1123/],
      [['10.0.0.1'], /IP address/],
      [['a.123'], /all-numeric/],
      [['a.svc', 'a.svc'], /twice/],
    ];
    for (const [value, rule] of cases) assert.throws(() => parseDnsNames(value), isInvalid(rule), JSON.stringify(value));
  });
});

describe('issueX509Svid with DNS names', () => {
  const s = scratch();
  after(() => s.cleanup());
  const cas: [string, TestCa][] = [['self-signed root', selfSignedCa()], ['intermediate under an openssl root', intermediateCa(opensslRoot(s))]];

  for (const [caName, ca] of cas) {
    const kp = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const svid = issueX509Svid(ca.issuer, ID, kp.publicKey, 600, Date.now(), { dnsNames: [SVC, FQDN] });
    const bundle = s.file(`bundle-${svid.serialHex}.pem`, ca.roots.map((r) => pem(r)).join(''));
    const leaf = s.file(`leaf-${svid.serialHex}.pem`, pem(svid.certDer));
    const verify = ['verify', '-CAfile', bundle, ...(svid.chainDer.length ? ['-untrusted', s.file(`chain-${svid.serialHex}.pem`, svid.chainDer.map((c) => pem(c)).join(''))] : [])];

    test(`${caName}: openssl x509 -text shows the one URI and the DNS names in a critical SAN`, () => {
      const text = certText(svid.certDer);
      assert.match(text, new RegExp(`Subject Alternative Name: critical\\s*\\n\\s*URI:${ID.replace(/[/.]/g, '\\$&')}, DNS:${SVC.replace(/\./g, '\\.')}, DNS:${FQDN.replace(/\./g, '\\.')}\\s*\\n`));
      assert.equal(text.match(/URI:/g)?.length, 1, 'exactly one URI SAN');
      assert.equal(text.match(/DNS:/g)?.length, 2);
      assert.match(text, /Subject: *\n/);
      assert.match(opensslOk(['asn1parse', '-inform', 'DER'], svid.certDer), /X509v3 Subject Alternative Name/);
    });

    test(`${caName}: openssl verify -verify_hostname passes for a listed name, fails for another`, () => {
      for (const name of [SVC, FQDN]) assert.match(opensslOk([...verify, '-verify_hostname', name, '-purpose', 'sslserver', leaf]), /: OK/, name);
      for (const name of ['other.tessera-system.svc', 'tessera', 'tessera-system.svc']) {
        const r = openssl([...verify, '-verify_hostname', name, leaf]);
        assert.notEqual(r.code, 0, name);
        assert.match(r.stderr + r.stdout, /hostname mismatch/, name);
      }
    });

    test(`${caName}: node:crypto checkHost agrees`, () => {
      const x = new X509Certificate(svid.certDer);
      assert.equal(x.subjectAltName, `URI:${ID}, DNS:${SVC}, DNS:${FQDN}`);
      assert.equal(x.checkHost(SVC), SVC);
      assert.equal(x.checkHost(FQDN), FQDN);
      assert.equal(x.checkHost('other.tessera-system.svc'), undefined);
      assert.equal(x.checkHost('tessera'), undefined);
    });

    test(`${caName}: a node https server with it is trusted by a client with the bundle and servername = the DNS name`, async () => {
      const server = createServer({ key: kp.privateKey.export({ type: 'pkcs8', format: 'pem' }), cert: [pem(svid.certDer), ...svid.chainDer.map((c) => pem(c))].join('') }, (_req, res) => res.end('admitted'));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      const get = (servername: string) => new Promise<string>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path: '/', servername, ca: ca.roots.map((r) => pem(r)), agent: false }, (res) => {
          let body = '';
          res.on('data', (d: Buffer) => { body += d; });
          res.on('end', () => resolve(body));
        });
        req.on('error', reject);
        req.end();
      });
      try {
        assert.equal(await get(SVC), 'admitted');
        assert.equal(await get(FQDN), 'admitted');
        await assert.rejects(get('other.tessera-system.svc'), (e: NodeJS.ErrnoException) => e.code === 'ERR_TLS_CERT_ALTNAME_INVALID');
      } finally {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    });
  }

  test('bad names are refused before anything is signed; none and [] issue the plain SVID', () => {
    const ca = cas[0]![1];
    const key = generateKeyPairSync('ed25519').publicKey;
    assert.throws(() => issueX509Svid(ca.issuer, ID, key, 60, Date.now(), { dnsNames: ['*.svc'] }), isInvalid(/wildcard/));
    assert.throws(() => issueX509Svid(ca.issuer, ID, key, 60, Date.now(), { dnsNames: ['UPPER.svc'] }), isInvalid(/lower case/));
    for (const opts of [undefined, {}, { dnsNames: [] }]) {
      assert.equal(new X509Certificate(issueX509Svid(ca.issuer, ID, key, 60, Date.now(), opts).certDer).subjectAltName, `URI:${ID}`);
    }
  });
});
