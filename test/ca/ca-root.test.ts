// An operator-supplied root (caRootCert + caRootKey): Tessera's CA is an intermediate under it,
// made with openssl here as an operator would, and checked with openssl verify.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { toPem } from '../../src/ca/x509/index.ts';
import { fixedClock, systemClock } from '../../src/shared/clock.ts';
import { isTesseraError } from '../../src/shared/errors.ts';
import { openTestStore, tempDir } from '../helpers/test-store.ts';
import { T0, keyEvents, startTestCa } from './ca-fixtures.ts';

function openssl(args: string[], cwd: string): string {
  return execFileSync('openssl', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A root CA made by openssl (P-256 unless told), key file mode 0600. */
function makeRoot(dir: string, opts: { days?: number; name?: string; keyAlg?: string[]; ca?: boolean } = {}): { cert: string; key: string } {
  const name = opts.name ?? 'root';
  const cert = join(dir, `${name}.pem`);
  const key = join(dir, `${name}.key`);
  openssl(['req', '-x509', '-newkey', ...(opts.keyAlg ?? ['ec', '-pkeyopt', 'ec_paramgen_curve:P-256']), '-nodes', '-keyout', key, '-out', cert,
    '-days', String(opts.days ?? 365), '-subj', `/O=Operator/CN=${name}`,
    '-addext', `basicConstraints=critical,CA:${opts.ca === false ? 'FALSE' : 'TRUE'}`, '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
  chmodSync(key, 0o600);
  return { cert, key };
}

test('with an operator root, the CA is an intermediate under it: openssl verifies it against the root, and the bundle carries the root', async () => {
  const dir = tempDir('tessera-root-');
  const t = await openTestStore('sqlite');
  try {
    const root = makeRoot(dir);
    const ca = await startTestCa(t.store, systemClock, { config: { caRootCert: root.cert, caRootKey: root.key } });
    const issuer = ca.x509Issuer();
    const rootCert = new X509Certificate(readFileSync(root.cert, 'utf8'));
    const cert = new X509Certificate(issuer.certDer);
    assert.ok(cert.ca);
    assert.ok(cert.checkIssued(rootCert) && cert.verify(rootCert.publicKey), 'signed by the root');
    assert.ok(!cert.verify(cert.publicKey), 'not self-signed');
    assert.ok(Date.parse(cert.validTo) <= Date.parse(rootCert.validTo));
    assert.deepEqual(issuer.chainDer, [], 'the root is in the bundle, not in the chain');
    assert.deepEqual(ca.x509Authorities().map((a) => a.certDer), [Buffer.from(rootCert.raw)]);
    writeFileSync(join(dir, 'intermediate.pem'), toPem(issuer.certDer));
    assert.match(openssl(['verify', '-CAfile', root.cert, 'intermediate.pem'], dir), /intermediate\.pem: OK/);
    // Rotations keep issuing under the same root.
    await ca.rotate('x509-ca', { actor: { id: 'admin', roles: ['admin'] } });
    assert.notEqual(ca.x509Issuer().kid, issuer.kid);
    assert.ok(new X509Certificate(ca.x509Issuer().certDer).verify(rootCert.publicKey));
    assert.deepEqual(ca.x509Authorities().map((a) => a.certDer), [Buffer.from(rootCert.raw)]);
    ca.close();
  } finally {
    await t.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('moving from a self-signed CA to an operator root: an intermediate is published alongside, then takes over; the old root stays in the bundle meanwhile', async () => {
  const dir = tempDir('tessera-root-');
  // openssl stamps the root's notBefore with the second it runs, after this clock starts: start
  // the clock a little ahead so the root is never "not valid yet" by a fraction of a second.
  const clock = fixedClock(Date.now() + 5_000);
  const t = await openTestStore('sqlite', { clock });
  try {
    const own = await startTestCa(t.store, clock);
    const selfSigned = own.x509Issuer();
    own.close();
    const root = makeRoot(dir);
    const ca = await startTestCa(t.store, clock, { config: { caRootCert: root.cert, caRootKey: root.key } });
    assert.equal(ca.x509Issuer().kid, selfSigned.kid, 'nothing signs before relying parties could see it');
    assert.equal(ca.x509Authorities().length, 2, 'both anchors are published');
    clock.advance(10 * 60_000);
    await ca.tick();
    assert.notEqual(ca.x509Issuer().kid, selfSigned.kid);
    assert.ok(new X509Certificate(ca.x509Issuer().certDer).verify(new X509Certificate(readFileSync(root.cert, 'utf8')).publicKey));
    assert.ok(ca.x509Authorities().some((a) => a.certDer.equals(selfSigned.certDer)), 'the old anchor covers the SVIDs it issued');
    assert.ok((await keyEvents(t.store)).some((e) => e.action === 'ca.key.activate' && e.details.reason === 'configuration changed'));
    ca.close();
  } finally {
    await t.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a bad operator root refuses to start with ERR_CONFIG naming the field, and nothing is stored', async () => {
  const dir = tempDir('tessera-root-');
  const t = await openTestStore('sqlite', { clock: fixedClock(T0) });
  try {
    const good = makeRoot(dir);
    const other = makeRoot(dir, { name: 'other' });
    const leaf = makeRoot(dir, { name: 'leaf', ca: false });
    const short = makeRoot(dir, { name: 'short', days: 1 });
    writeFileSync(join(dir, 'garbage.pem'), 'not a certificate');
    writeFileSync(join(dir, 'cert-as-key.pem'), readFileSync(good.cert), { mode: 0o600 });
    const cases: [Record<string, string | undefined>, string, RegExp][] = [
      [{ caRootCert: good.cert, caRootKey: undefined }, 'caRootKey', /both/],
      [{ caRootCert: undefined, caRootKey: good.key }, 'caRootCert', /both/],
      [{ caRootCert: join(dir, 'missing.pem'), caRootKey: good.key }, 'caRootCert', /cannot read/],
      [{ caRootCert: join(dir, 'garbage.pem'), caRootKey: good.key }, 'caRootCert', /not a PEM X\.509 certificate/],
      [{ caRootCert: leaf.cert, caRootKey: leaf.key }, 'caRootCert', /not a CA certificate/],
      [{ caRootCert: good.cert, caRootKey: other.key }, 'caRootKey', /not the private key/],
      [{ caRootCert: good.cert, caRootKey: join(dir, 'cert-as-key.pem') }, 'caRootKey', /not an unencrypted PEM private key/],
      // Expires within a CA lifetime (24 h) of the server's clock.
      [{ caRootCert: short.cert, caRootKey: short.key }, 'caRootCert', /renew the root/],
    ];
    for (const [config, field, message] of cases) {
      await assert.rejects(startTestCa(t.store, systemClock, { config }), (e) => {
        assert.ok(isTesseraError(e, 'ERR_CONFIG'), String(e));
        assert.equal(e.details?.field, field, e.message);
        assert.match(e.message, message);
        return true;
      });
    }
    chmodSync(good.key, 0o644);
    await assert.rejects(startTestCa(t.store, systemClock, { config: { caRootCert: good.cert, caRootKey: good.key } }),
      (e) => isTesseraError(e, 'ERR_CONFIG') && e.details?.field === 'caRootKey' && /chmod 600/.test(e.message));
    assert.deepEqual(await t.store.keys.list(), []);
    assert.equal((await t.store.audit.head()).seq, 0);
  } finally {
    await t.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an RSA operator root signs a P-256 intermediate', async () => {
  const dir = tempDir('tessera-root-');
  const t = await openTestStore('sqlite');
  try {
    const root = makeRoot(dir, { keyAlg: ['rsa:2048'] });
    const ca = await startTestCa(t.store, systemClock, { config: { caRootCert: root.cert, caRootKey: root.key } });
    writeFileSync(join(dir, 'intermediate.pem'), toPem(ca.x509Issuer().certDer));
    assert.match(openssl(['verify', '-CAfile', root.cert, 'intermediate.pem'], dir), /OK/);
    assert.equal(new X509Certificate(ca.x509Issuer().certDer).publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
    ca.close();
  } finally {
    await t.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
});
