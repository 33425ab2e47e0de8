import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { createCaCertificate, readCertificate } from '../../../src/ca/x509/index.ts';
import { TesseraError } from '../../../src/shared/errors.ts';
import { scratch, opensslOk, openssl, opensslRoot, certText, pem, DAY } from './test-ca.ts';

type Scratch = ReturnType<typeof scratch>;
const p256 = () => generateKeyPairSync('ec', { namedCurve: 'P-256' });

function refused(fn: () => unknown, code: string, field: string, rule: RegExp) {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof TesseraError, String(e));
    assert.equal(e.code, code, e.message);
    assert.equal(e.details?.field, field);
    assert.match(e.message, rule);
    return true;
  });
}

/** The hex key identifiers openssl prints after a given extension heading. */
function keyIdAfter(text: string, heading: string): string {
  const m = new RegExp(`${heading}:\\s*\\n\\s*(?:keyid:)?([0-9A-F:]+)`).exec(text);
  assert.ok(m, `${heading} in\n${text}`);
  return m[1]!.replace(/:/g, '').toLowerCase();
}

describe('createCaCertificate', () => {
  let s: Scratch;
  before(() => { s = scratch(); });
  after(() => { s.cleanup(); });

  test('self-signed root: verifies with openssl and node, with the CA profile', () => {
    const kp = p256();
    const now = Date.now();
    const der = createCaCertificate({ trustDomain: 'example.org', subjectPublicKey: kp.publicKey, signingKey: kp.privateKey, notBefore: now - 30_000, notAfter: now + DAY });
    const file = s.file('root.pem', pem(der));
    assert.match(opensslOk(['verify', '-CAfile', file, file]), /: OK/);

    const text = certText(der);
    assert.match(text, /Basic Constraints: critical\s+CA:TRUE\s*\n/);
    assert.doesNotMatch(text, /pathlen/);
    assert.match(text, /Key Usage: critical\s+Certificate Sign, CRL Sign\s*\n/);
    assert.match(text, /Subject Alternative Name:\s*\n\s*URI:spiffe:\/\/example\.org\s*\n/);
    assert.match(text, /Signature Algorithm: ecdsa-with-SHA256/);
    assert.equal(keyIdAfter(text, 'Subject Key Identifier'), keyIdAfter(text, 'Authority Key Identifier'));

    const x = new X509Certificate(der);
    assert.equal(x.ca, true);
    assert.ok(x.checkIssued(x));
    assert.ok(x.verify(kp.publicKey));
    assert.equal(x.subject, x.issuer);
    assert.match(x.subject, /O=Tessera/);
    assert.match(x.subject, /OU=example\.org/);
    assert.match(x.subject, /CN=Tessera CA [0-9a-f]{8}/);
    assert.equal(x.subjectAltName, 'URI:spiffe://example.org');
    assert.equal(new Date(x.validFrom).getTime(), Math.floor((now - 30_000) / 1000) * 1000);
    assert.equal(new Date(x.validTo).getTime(), Math.floor((now + DAY) / 1000) * 1000);
    assert.ok(BigInt(`0x${x.serialNumber}`) > 0n);
    assert.ok(x.serialNumber.replace(/^0+/, '').length <= 32);
  });

  test('successive CAs of one trust domain get distinct names and serials', () => {
    const a = p256();
    const b = p256();
    const now = Date.now();
    const mk = (kp: ReturnType<typeof p256>) => new X509Certificate(createCaCertificate({ trustDomain: 'tessera.local', subjectPublicKey: kp.publicKey, signingKey: kp.privateKey, notBefore: now, notAfter: now + DAY }));
    const [x, y] = [mk(a), mk(b)];
    assert.notEqual(x.subject, y.subject);
    assert.notEqual(x.serialNumber, y.serialNumber);
    assert.ok(!y.checkIssued(x));
  });

  test('notAfter in 2050 or later is a GeneralizedTime that openssl and node read', () => {
    const kp = p256();
    const notAfter = Date.UTC(2051, 5, 1);
    const der = createCaCertificate({ trustDomain: 'tessera.local', subjectPublicKey: kp.publicKey, signingKey: kp.privateKey, notBefore: Date.now(), notAfter });
    assert.equal(new Date(new X509Certificate(der).validTo).getTime(), notAfter);
    assert.equal(readCertificate(der).notAfter, notAfter);
    assert.match(certText(der), /Not After : Jun  1 00:00:00 2051 GMT/);
  });

  for (const keyAlg of ['ec', 'rsa', 'ed25519'] as const) {
    test(`intermediate under an operator root made by openssl (${keyAlg}): verifies, names and key ids chain`, () => {
      const root = opensslRoot(s, { keyAlg });
      const kp = p256();
      const now = Date.now();
      const der = createCaCertificate({ trustDomain: 'tessera.local', subjectPublicKey: kp.publicKey, signingKey: root.privateKey, issuerCertDer: root.certDer, notBefore: now - 60_000, notAfter: now + DAY });
      const rootFile = s.file(`root-${keyAlg}.pem`, root.certPem);
      const file = s.file(`inter-${keyAlg}.pem`, pem(der));
      assert.match(opensslOk(['verify', '-CAfile', rootFile, file]), /: OK/);
      // Not trusted on its own: it is not self-signed.
      assert.notEqual(openssl(['verify', '-CAfile', file, file]).code, 0);

      const x = new X509Certificate(der);
      const r = new X509Certificate(root.certDer);
      assert.equal(x.ca, true);
      assert.equal(x.issuer, r.subject);
      assert.ok(x.checkIssued(r));
      assert.ok(x.verify(r.publicKey));
      assert.ok(!x.verify(kp.publicKey));
      const text = certText(der);
      assert.match(text, /Basic Constraints: critical\s+CA:TRUE, pathlen:0/);
      assert.equal(keyIdAfter(text, 'Authority Key Identifier'), keyIdAfter(certText(root.certDer), 'Subject Key Identifier'));
      assert.equal(keyIdAfter(text, 'Subject Key Identifier'), readCertificate(der).subjectKeyId.toString('hex'));
      // The issuer name is the root's subject byte for byte.
      assert.deepEqual(readCertificate(der).issuerDer, readCertificate(root.certDer).subjectDer);
    });
  }

  test('intermediate: notBefore is moved up to the root\'s; notAfter past the root\'s is refused', () => {
    const root = opensslRoot(s, { days: 2 });
    const rootParts = readCertificate(root.certDer);
    const kp = p256();
    const der = createCaCertificate({ trustDomain: 'tessera.local', subjectPublicKey: kp.publicKey, signingKey: root.privateKey, issuerCertDer: root.certDer, notBefore: rootParts.notBefore - DAY, notAfter: rootParts.notAfter });
    assert.equal(readCertificate(der).notBefore, rootParts.notBefore);
    refused(() => createCaCertificate({ trustDomain: 'tessera.local', subjectPublicKey: kp.publicKey, signingKey: root.privateKey, issuerCertDer: root.certDer, notBefore: Date.now(), notAfter: rootParts.notAfter + 1000 }),
      'ERR_INVALID_INPUT', 'notAfter', /must not be after the issuer certificate's notAfter/);
  });

  describe('refusals', () => {
    const now = Date.now();
    test('an operator "root" that is not a CA, a key that does not match it, garbage', () => {
      const notCa = opensslRoot(s, { extraArgs: ['-addext', 'basicConstraints=critical,CA:FALSE'] });
      const kp = p256();
      const base = { trustDomain: 'tessera.local', subjectPublicKey: kp.publicKey, notBefore: now, notAfter: now + 3_600_000 };
      refused(() => createCaCertificate({ ...base, signingKey: notCa.privateKey, issuerCertDer: notCa.certDer }), 'ERR_CONFIG', 'issuerCert', /not a CA certificate/);
      const root = opensslRoot(s);
      refused(() => createCaCertificate({ ...base, signingKey: kp.privateKey, issuerCertDer: root.certDer }), 'ERR_CONFIG', 'issuerCert', /does not match signingKey/);
      refused(() => createCaCertificate({ ...base, signingKey: root.privateKey, issuerCertDer: Buffer.from('not a certificate') }), 'ERR_CONFIG', 'issuerCert', /must be a DER X\.509 certificate/);
      refused(() => createCaCertificate({ ...base, signingKey: root.privateKey, issuerCertDer: root.certDer.subarray(0, 100) }), 'ERR_CONFIG', 'issuerCert', /must be a DER X\.509 certificate/);
    });

    test('self-signed with another key, public/private mix-ups, bad trust domain, empty validity', () => {
      const kp = p256();
      const other = p256();
      const base = { trustDomain: 'tessera.local', subjectPublicKey: kp.publicKey, signingKey: kp.privateKey, notBefore: now, notAfter: now + 3_600_000 };
      refused(() => createCaCertificate({ ...base, signingKey: other.privateKey }), 'ERR_INVALID_INPUT', 'signingKey', /must match subjectPublicKey/);
      refused(() => createCaCertificate({ ...base, signingKey: kp.publicKey }), 'ERR_INVALID_INPUT', 'signingKey', /private key/);
      refused(() => createCaCertificate({ ...base, subjectPublicKey: kp.privateKey }), 'ERR_INVALID_INPUT', 'subjectPublicKey', /public key/);
      refused(() => createCaCertificate({ ...base, trustDomain: 'Bad_Domain:1' }), 'ERR_INVALID_SPIFFE_ID', 'trustDomain', /port|lowercase/);
      refused(() => createCaCertificate({ ...base, notAfter: now }), 'ERR_INVALID_INPUT', 'notAfter', /after notBefore/);
      refused(() => createCaCertificate({ ...base, notAfter: Number.NaN }), 'ERR_INVALID_INPUT', 'notBefore', /epoch ms/);
      const x448 = generateKeyPairSync('ed448');
      refused(() => createCaCertificate({ ...base, subjectPublicKey: x448.publicKey, signingKey: x448.privateKey }), 'ERR_INVALID_INPUT', 'signingKey', /ed448 keys cannot sign/);
    });
  });
});
