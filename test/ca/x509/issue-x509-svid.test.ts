import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, X509Certificate, type KeyObject } from 'node:crypto';
import { issueX509Svid, prepareIssuer, parseCsr, createCsr, BACKDATE_MS } from '../../../src/ca/x509/index.ts';
import { readTlv, children, readWhole } from '../../../src/ca/x509/der-reader.ts';
import { TesseraError } from '../../../src/shared/errors.ts';
import { scratch, opensslOk, openssl, opensslRoot, intermediateCa, selfSignedCa, certText, pem, DAY, HOUR, type TestCa } from './test-ca.ts';

type Scratch = ReturnType<typeof scratch>;
const ID = 'spiffe://tessera.local/ns/prod/sa/payments';

const LEAF_KEYS: [string, () => KeyObject, RegExp][] = [
  ['ec-p256', () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey, /Key Usage: critical\s+Digital Signature\s*\n/],
  ['ec-p384', () => generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey, /Key Usage: critical\s+Digital Signature\s*\n/],
  ['ed25519', () => generateKeyPairSync('ed25519').publicKey, /Key Usage: critical\s+Digital Signature\s*\n/],
  ['rsa-2048', () => generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey, /Key Usage: critical\s+Digital Signature, Key Encipherment\s*\n/],
];

/** The serial's INTEGER content octets, read from the DER. */
function serialOctets(der: Buffer): Buffer {
  const [tbs] = children(der, readWhole(der, 0x30, 'cert'));
  const [version, serial] = children(der, tbs!);
  assert.equal(version!.tag, 0xa0);
  assert.equal(serial!.tag, 0x02);
  return der.subarray(serial!.contentStart, serial!.end);
}

/** Checks everything the SPIFFE X509-SVID profile asks of a leaf, with openssl and node:crypto. */
function checkLeaf(s: Scratch, ca: TestCa, svid: ReturnType<typeof issueX509Svid>, key: KeyObject, kuPattern: RegExp, spiffeId = ID) {
  const bundle = s.file(`bundle-${svid.serialHex}.pem`, ca.roots.map((r) => pem(r)).join(''));
  const leaf = s.file(`leaf-${svid.serialHex}.pem`, pem(svid.certDer));
  const args = ['verify', '-CAfile', bundle];
  if (svid.chainDer.length > 0) args.push('-untrusted', s.file(`chain-${svid.serialHex}.pem`, svid.chainDer.map((c) => pem(c)).join('')));
  assert.match(opensslOk([...args, '-purpose', 'sslclient', leaf]), /: OK/);
  assert.match(opensslOk([...args, '-purpose', 'sslserver', leaf]), /: OK/);

  const text = certText(svid.certDer);
  assert.equal(text.match(/URI:/g)?.length, 1, 'exactly one URI SAN');
  assert.match(text, new RegExp(`Subject Alternative Name: critical\\s*\\n\\s*URI:${spiffeId.replace(/[/.]/g, '\\$&')}\\s*\\n`));
  assert.doesNotMatch(text, /DNS:|email:|IP Address:/);
  assert.match(text, /Basic Constraints: critical\s+CA:FALSE/);
  assert.match(text, kuPattern);
  assert.match(text, /Extended Key Usage:\s*\n\s*TLS Web Server Authentication, TLS Web Client Authentication\s*\n/);
  assert.match(text, /Subject Key Identifier/);
  assert.match(text, /Authority Key Identifier/);
  assert.match(text, /Subject: *\n/);
  assert.match(text, /Signature Algorithm: ecdsa-with-SHA256/);

  const x = new X509Certificate(svid.certDer);
  const issuerCert = new X509Certificate(ca.issuer.certDer);
  assert.equal(x.subjectAltName, `URI:${spiffeId}`);
  assert.equal(x.ca, false);
  assert.ok(x.checkIssued(issuerCert));
  assert.ok(x.verify(issuerCert.publicKey));
  assert.deepEqual(x.publicKey.export({ type: 'spki', format: 'der' }), key.export({ type: 'spki', format: 'der' }));
  assert.deepEqual(x.keyUsage, ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']); // node names the EKU "keyUsage"
  assert.equal(BigInt(`0x${x.serialNumber}`), BigInt(`0x${svid.serialHex}`));
  assert.equal(new Date(x.validFrom).getTime(), svid.notBefore);
  assert.equal(new Date(x.validTo).getTime(), svid.notAfter);
}

describe('issueX509Svid', () => {
  let s: Scratch;
  let root: TestCa;
  before(() => { s = scratch(); root = selfSignedCa(); });
  after(() => { s.cleanup(); });

  for (const [name, makeKey, ku] of LEAF_KEYS) {
    test(`${name} leaf under a self-signed root: openssl verify, the SVID profile, node:crypto`, () => {
      const key = makeKey();
      const svid = issueX509Svid(root.issuer, ID, key, 900, Date.now());
      assert.deepEqual(svid.chainDer, []);
      checkLeaf(s, root, svid, key, ku);
    });
  }

  test('under an intermediate whose root an operator made with openssl: chain is [intermediate]', () => {
    for (const keyAlg of ['ec', 'rsa'] as const) {
      const inter = intermediateCa(opensslRoot(s, { keyAlg }));
      const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
      const svid = issueX509Svid(inter.issuer, ID, key, 600, Date.now());
      assert.equal(svid.chainDer.length, 1);
      assert.deepEqual(svid.chainDer[0], inter.issuer.certDer);
      checkLeaf(s, inter, svid, key, LEAF_KEYS[0]![2]);
      // Without the intermediate the leaf does not chain to the root.
      const bundle = s.file(`only-root-${keyAlg}.pem`, pem(inter.roots[0]!));
      assert.notEqual(openssl(['verify', '-CAfile', bundle, s.file(`leaf-${svid.serialHex}.pem`)]).code, 0);
      // A runtime that lists the root (or the CA itself) in chainDer: the chain still holds intermediates only.
      const listed = issueX509Svid({ ...inter.issuer, kid: `${inter.issuer.kid}-b`, chainDer: [inter.issuer.certDer, inter.roots[0]!] }, ID, key, 600, Date.now());
      assert.deepEqual(listed.chainDer, [inter.issuer.certDer]);
    }
  });

  test('the key of a parsed CSR is used as is; the CSR\'s own SANs and subject play no part', () => {
    const kp = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const csr = parseCsr(createCsr({ privateKey: kp.privateKey, commonName: 'admin', uris: ['spiffe://tessera.local/ns/prod/sa/admin'] }));
    const svid = issueX509Svid(root.issuer, ID, csr, 300, Date.now());
    checkLeaf(s, root, svid, kp.publicKey, LEAF_KEYS[0]![2]);
    assert.doesNotMatch(certText(svid.certDer), /admin/);
  });

  test('serials: 128 random bits, positive, minimal, unique over many issuances', () => {
    const key = parseCsr(createCsr({ privateKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey }));
    const seen = new Set<string>();
    let topBitSet = 0;
    for (let i = 0; i < 2000; i++) {
      const svid = issueX509Svid(root.issuer, ID, key, 60, Date.now());
      assert.match(svid.serialHex, /^[0-9a-f]{32}$/);
      const octets = serialOctets(svid.certDer);
      assert.equal(octets[0]! & 0x80, 0, 'positive');
      assert.ok(octets.length <= 17);
      assert.ok(!(octets[0] === 0 && octets.length > 1 && (octets[1]! & 0x80) === 0), 'minimal');
      assert.equal(BigInt(`0x${octets.toString('hex')}`), BigInt(`0x${svid.serialHex}`));
      if (octets.length === 17) topBitSet++;
      seen.add(svid.serialHex);
    }
    assert.equal(seen.size, 2000);
    // Half the values have the top bit of 128 set (then a 0x00 octet keeps them positive).
    assert.ok(topBitSet > 800 && topBitSet < 1200, String(topBitSet));
  });

  test('validity: notBefore backdated 30 s (≤ 60 s), notAfter = now + ttl, never past the CA', () => {
    const now = Date.now();
    const key = generateKeyPairSync('ed25519').publicKey;
    const svid = issueX509Svid(root.issuer, ID, key, 900, now);
    assert.ok(now - svid.notBefore >= BACKDATE_MS && now - svid.notBefore <= 60_000, String(now - svid.notBefore));
    assert.equal(svid.notAfter, Math.floor(now / 1000) * 1000 + 900_000);

    const shortCa = selfSignedCa({ now, notAfter: now + 10 * 60_000 });
    const capped = issueX509Svid(shortCa.issuer, ID, key, 3600, now);
    assert.equal(capped.notAfter, Math.floor((now + 10 * 60_000) / 1000) * 1000);
    assert.equal(new Date(new X509Certificate(capped.certDer).validTo).getTime(), capped.notAfter);
    assert.ok(capped.notAfter <= new Date(new X509Certificate(shortCa.issuer.certDer).validTo).getTime());

    // Backdating never reaches before the CA's own notBefore (a CA made a moment ago).
    const fresh = selfSignedCa({ now, notBefore: now - 5_000 });
    const early = issueX509Svid(fresh.issuer, ID, key, 60, now);
    assert.equal(early.notBefore, Math.floor((now - 5_000) / 1000) * 1000);
    assert.equal(early.notBefore, new Date(new X509Certificate(fresh.issuer.certDer).validFrom).getTime());
  });

  test('an expired CA issues nothing', () => {
    const now = Date.now();
    const old = selfSignedCa({ now: now - 2 * HOUR, notAfter: now - HOUR });
    assert.throws(() => issueX509Svid(old.issuer, ID, generateKeyPairSync('ed25519').publicKey, 60, now), (e: unknown) => e instanceof TesseraError && e.code === 'ERR_INTERNAL' && /has expired/.test(e.message));
  });

  test('refuses bad SPIFFE IDs, another trust domain, bad TTLs', () => {
    const key = generateKeyPairSync('ed25519').publicKey;
    const code = (fn: () => unknown, c: string) => assert.throws(fn, (e: unknown) => e instanceof TesseraError && e.code === c);
    code(() => issueX509Svid(root.issuer, 'spiffe://tessera.local/a/../b', key, 60, Date.now()), 'ERR_INVALID_SPIFFE_ID');
    code(() => issueX509Svid(root.issuer, 'https://tessera.local/a', key, 60, Date.now()), 'ERR_INVALID_SPIFFE_ID');
    code(() => issueX509Svid(root.issuer, 'spiffe://other.org/a', key, 60, Date.now()), 'ERR_TRUST_DOMAIN_MISMATCH');
    for (const ttl of [0, -5, 1.5, Number.NaN]) code(() => issueX509Svid(root.issuer, ID, key, ttl, Date.now()), 'ERR_INVALID_INPUT');
  });

  test('prepareIssuer: encoded once per CA, a new kid after rotation, mismatched key refused', () => {
    const a = prepareIssuer(root.issuer);
    assert.equal(prepareIssuer(root.issuer), a);
    assert.equal(prepareIssuer({ ...root.issuer, chainDer: [] }), a, 'same kid and certificate: same prepared CA');
    const next = selfSignedCa();
    const b = prepareIssuer(next.issuer);
    assert.notEqual(b, a);
    const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    const fromNext = issueX509Svid(b, ID, key, 60, Date.now());
    assert.ok(new X509Certificate(fromNext.certDer).checkIssued(new X509Certificate(next.issuer.certDer)));
    assert.ok(!new X509Certificate(fromNext.certDer).checkIssued(new X509Certificate(root.issuer.certDer)));
    assert.throws(() => prepareIssuer({ ...next.issuer, kid: 'mismatch', privateKey: root.issuer.privateKey }), /private key does not match/);
    assert.throws(() => prepareIssuer({ ...next.issuer, kid: 'garbage', certDer: Buffer.from('nope') }));
  });

  test('the TBSCertificate is well-formed DER throughout (openssl asn1parse -strictpem of the whole certificate)', () => {
    const svid = issueX509Svid(root.issuer, ID, generateKeyPairSync('ed25519').publicKey, 60, Date.now());
    const out = opensslOk(['asn1parse', '-inform', 'DER', '-i'], svid.certDer);
    // case-sensitive words: the random hex in a CA name can spell "bad"
    assert.doesNotMatch(out, /\bError\b|\bBAD\b/);
    assert.equal(readTlv(svid.certDer, 0).end, svid.certDer.length);
    assert.equal(DAY, 86_400_000);
  });
});
