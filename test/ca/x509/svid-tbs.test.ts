import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { writeSvidTbs, type TbsFixed } from '../../../src/ca/x509/svid-tbs.ts';
import { VERSION_V3 } from '../../../src/ca/x509/certificate.ts';
import { constructed, explicit, integer, sequence, x509Time, TAG } from '../../../src/ca/x509/der.ts';
import {
  EMPTY_NAME, authorityKeyIdentifier, basicConstraints, encodeName, keyUsage, subjectAltName, subjectAltNameUris, subjectKeyIdentifier,
} from '../../../src/ca/x509/extensions.ts';
import { opensslOk } from './test-ca.ts';

// The hot path writes the TBSCertificate by hand; the general encoder must agree byte for byte.
describe('writeSvidTbs', () => {
  const fixed: TbsFixed = {
    version: VERSION_V3,
    algAndIssuer: Buffer.concat([sequence(Buffer.from('06082a8648ce3d040302', 'hex')), encodeName([{ type: '2.5.4.3', value: 'Test CA' }])]),
    subject: EMPTY_NAME,
    fixedExtensions: Buffer.concat([basicConstraints(false), authorityKeyIdentifier(randomBytes(20))]),
  };
  const reference = (s: Parameters<typeof writeSvidTbs>[1]) => constructed(TAG.SEQUENCE, [
    fixed.version, integer(s.serial), fixed.algAndIssuer, sequence(x509Time(s.notBefore), x509Time(s.notAfter)), fixed.subject, s.spkiDer,
    explicit(3, sequence(fixed.fixedExtensions, s.keyUsage, subjectKeyIdentifier(s.keyId), subjectAltNameUris([s.uri], true))),
  ]);

  const spkis = [
    generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey,
    generateKeyPairSync('ed25519').publicKey,
    generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey,
  ].map((k) => k.export({ type: 'spki', format: 'der' }));
  const serials = [randomBytes(16), Buffer.from('80'.padEnd(32, '0'), 'hex'), Buffer.from('00007f'.padEnd(32, '1'), 'hex'), Buffer.from('0000ff'.padEnd(32, '0'), 'hex'), Buffer.from('01'.padStart(32, '0'), 'hex')];
  const times = [[Date.UTC(2026, 0, 1), Date.UTC(2026, 0, 1, 0, 15)], [Date.UTC(2049, 11, 31, 23, 59, 30), Date.UTC(2050, 0, 1, 0, 14, 30)], [Date.UTC(2060, 5, 6), Date.UTC(2061, 0, 1)]];
  const uris = ['spiffe://tessera.local/a', `spiffe://tessera.local/${'x'.repeat(100)}`, `spiffe://tessera.local/${'y'.repeat(300)}`, `spiffe://tessera.local/${'z'.repeat(2000)}`];

  test('matches the general encoder for every kind of slot value', () => {
    let n = 0;
    for (const spkiDer of spkis) for (const serial of serials) for (const [notBefore, notAfter] of times) for (const uri of uris) {
      for (const ku of [keyUsage(['digitalSignature']), keyUsage(['digitalSignature', 'keyEncipherment'])]) {
        const slots = { serial, notBefore: notBefore!, notAfter: notAfter!, spkiDer, keyUsage: ku, keyId: randomBytes(20), uri };
        assert.deepEqual(writeSvidTbs(fixed, slots), reference(slots));
        n++;
      }
    }
    assert.equal(n, 3 * 5 * 3 * 4 * 2);
  });

  // The general encoder for a SAN with DNS names, checked against the URI-only one it generalises.
  const referenceDns = (s: Parameters<typeof writeSvidTbs>[1]) => constructed(TAG.SEQUENCE, [
    fixed.version, integer(s.serial), fixed.algAndIssuer, sequence(x509Time(s.notBefore), x509Time(s.notAfter)), fixed.subject, s.spkiDer,
    explicit(3, sequence(fixed.fixedExtensions, s.keyUsage, subjectKeyIdentifier(s.keyId), subjectAltName({ uris: [s.uri], dnsNames: s.dnsNames }, true))),
  ]);
  const label63 = 'a'.repeat(63);
  const dnsSets: string[][] = [
    [],
    ['webhook.tessera-system.svc'],
    ['tessera.tessera-system.svc', 'tessera.tessera-system.svc.cluster.local', 'localhost'],
    // 253-character names: each GeneralName's length goes long-form, and ten of them push the SAN past 2 length octets.
    Array.from({ length: 10 }, (_, i) => `${label63}.${label63}.${label63}.${'b'.repeat(59)}${i}.io`.slice(-253)),
  ];

  test('with DNS names: matches the general encoder; none or [] is the URI-only certificate', () => {
    assert.deepEqual(subjectAltName({ uris: ['spiffe://x/a'] }, true), subjectAltNameUris(['spiffe://x/a'], true));
    let n = 0;
    for (const spkiDer of spkis) for (const serial of serials.slice(0, 3)) for (const [notBefore, notAfter] of times) for (const uri of uris) {
      for (const dnsNames of dnsSets) {
        const slots = { serial, notBefore: notBefore!, notAfter: notAfter!, spkiDer, keyUsage: keyUsage(['digitalSignature']), keyId: randomBytes(20), uri, dnsNames };
        const written = writeSvidTbs(fixed, slots);
        assert.deepEqual(written, referenceDns(slots));
        if (dnsNames.length === 0) {
          assert.deepEqual(written, reference(slots));
          assert.deepEqual(written, writeSvidTbs(fixed, { ...slots, dnsNames: undefined }));
        }
        n++;
      }
    }
    assert.equal(n, 3 * 3 * 3 * 4 * 4);
  });

  test('openssl parses it as DER', () => {
    const tbs = writeSvidTbs(fixed, { serial: randomBytes(16), notBefore: Date.now(), notAfter: Date.now() + 60_000, spkiDer: spkis[0]!, keyUsage: keyUsage(['digitalSignature']), keyId: randomBytes(20), uri: 'spiffe://tessera.local/a' });
    assert.match(opensslOk(['asn1parse', '-inform', 'DER'], tbs), /X509v3 Subject Alternative Name/);
    const withDns = writeSvidTbs(fixed, { serial: randomBytes(16), notBefore: Date.now(), notAfter: Date.now() + 60_000, spkiDer: spkis[0]!, keyUsage: keyUsage(['digitalSignature']), keyId: randomBytes(20), uri: 'spiffe://tessera.local/a', dnsNames: dnsSets[3] });
    assert.match(opensslOk(['asn1parse', '-inform', 'DER'], withDns), /X509v3 Subject Alternative Name/);
  });

  test('refuses slots of the wrong size and unencodable years', () => {
    const base = { serial: randomBytes(16), notBefore: Date.now(), notAfter: Date.now() + 60_000, spkiDer: spkis[0]!, keyUsage: keyUsage(['digitalSignature']), keyId: randomBytes(20), uri: 'spiffe://tessera.local/a' };
    assert.throws(() => writeSvidTbs(fixed, { ...base, serial: randomBytes(15) }), /16 octets/);
    assert.throws(() => writeSvidTbs(fixed, { ...base, keyId: randomBytes(32) }), /20 octets/);
    assert.throws(() => writeSvidTbs(fixed, { ...base, notAfter: Date.UTC(10000, 0, 1) }), /cannot be encoded/);
  });
});
