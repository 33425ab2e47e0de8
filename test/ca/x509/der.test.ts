import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import {
  NULL, bitString, boolean, encodeLength, explicit, generalizedTime, ia5String, implicit, integer, octetString, oid,
  printableString, sequence, setOf, tlv, utcTime, utf8String, x509Time,
} from '../../../src/ca/x509/der.ts';
import { children, readOid, readTime, readTlv, readWhole, DerError } from '../../../src/ca/x509/der-reader.ts';
import { opensslOk } from './test-ca.ts';

const hex = (b: Buffer) => b.toString('hex');
const h = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('DER encoder', () => {
  test('lengths: short form below 128, minimal long form above', () => {
    assert.equal(hex(encodeLength(0)), '00');
    assert.equal(hex(encodeLength(127)), '7f');
    assert.equal(hex(encodeLength(128)), '8180');
    assert.equal(hex(encodeLength(255)), '81ff');
    assert.equal(hex(encodeLength(256)), '820100');
    assert.equal(hex(encodeLength(65536)), '83010000');
    assert.throws(() => encodeLength(-1), RangeError);
    assert.equal(hex(octetString(Buffer.alloc(200)).subarray(0, 3)), '0481c8');
  });

  test('INTEGER: positive and minimal', () => {
    assert.equal(hex(integer(0)), '020100');
    assert.equal(hex(integer(127)), '02017f');
    assert.equal(hex(integer(128)), '02020080');
    assert.equal(hex(integer(256)), '02020100');
    assert.equal(hex(integer(2n ** 64n)), '0209010000000000000000');
    // A Buffer is an unsigned magnitude: leading zeros dropped, a zero added for the sign bit.
    assert.equal(hex(integer(h('00 00 7f'))), '02017f');
    assert.equal(hex(integer(h('ff 01'))), '020300ff01');
    assert.equal(hex(integer(h('00 00'))), '020100');
    assert.equal(hex(integer(Buffer.alloc(0))), '020100');
    assert.throws(() => integer(-1), RangeError);
  });

  test('OBJECT IDENTIFIER, including multi-byte and large arcs', () => {
    assert.equal(hex(oid('2.5.29.17')), '0603551d11');
    assert.equal(hex(oid('1.2.840.113549.1.1.11')), '06092a864886f70d01010b');
    assert.equal(hex(oid('1.2.840.10045.2.1')), '06072a8648ce3d0201');
    assert.equal(hex(oid('2.999.3')), '0603883703');
    for (const bad of ['', '1', '3.1', '1.40', '1.2.x', '1..2', '1.02']) assert.throws(() => oid(bad), RangeError, bad);
    // The same bytes node:crypto (OpenSSL) puts in an EC key's SubjectPublicKeyInfo.
    const spki = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'der' });
    assert.ok(spki.includes(oid('1.2.840.10045.2.1')) && spki.includes(oid('1.2.840.10045.3.1.7')));
  });

  test('NULL, BOOLEAN, BIT STRING, OCTET STRING, strings', () => {
    assert.equal(hex(NULL), '0500');
    assert.equal(hex(boolean(true)), '0101ff');
    assert.equal(hex(boolean(false)), '010100');
    assert.equal(hex(bitString(h('a0'), 5)), '030205a0');
    assert.equal(hex(bitString(Buffer.alloc(0))), '030100');
    assert.throws(() => bitString(h('00'), 8), RangeError);
    assert.throws(() => bitString(Buffer.alloc(0), 1), RangeError);
    assert.equal(hex(octetString(h('0102'))), '04020102');
    assert.equal(hex(utf8String('é')), '0c02c3a9');
    assert.equal(hex(printableString('Tessera CA')), '130a54657373657261204341');
    assert.throws(() => printableString('a@b'), RangeError);
    assert.equal(hex(ia5String('spiffe://a')), '160a7370696666653a2f2f61');
    assert.throws(() => ia5String('é'), RangeError);
  });

  test('times: UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280 §4.1.2.5)', () => {
    const t = Date.UTC(2049, 11, 31, 23, 59, 59, 999);
    assert.equal(utcTime(t).toString('latin1', 2), '491231235959Z');
    assert.equal(x509Time(t)[0], 0x17);
    const t2 = Date.UTC(2050, 0, 1, 0, 0, 0);
    assert.equal(x509Time(t2)[0], 0x18);
    assert.equal(x509Time(t2).toString('latin1', 2), '20500101000000Z');
    assert.equal(x509Time(Date.UTC(1950, 0, 1))[0], 0x17);
    assert.equal(x509Time(Date.UTC(1949, 11, 31))[0], 0x18);
    assert.throws(() => utcTime(t2), RangeError);
    assert.equal(generalizedTime(Date.UTC(2026, 4, 7, 8, 9, 10, 500)).toString('latin1', 2), '20260507080910Z');
    const y0042 = new Date(Date.UTC(2000, 0, 1));
    y0042.setUTCFullYear(42);
    for (const ms of [t, t2, Date.UTC(1999, 1, 28, 12), y0042.getTime()]) {
      const enc = x509Time(ms);
      assert.equal(readTime(enc, readTlv(enc, 0)), Math.floor(ms / 1000) * 1000);
    }
  });

  test('context tags: explicit wraps, implicit replaces', () => {
    assert.equal(hex(explicit(0, integer(2))), 'a003020102');
    assert.equal(hex(explicit(3, sequence())), 'a3023000');
    assert.equal(hex(implicit(6, Buffer.from('a'))), '860161');
    assert.equal(hex(implicit(0, Buffer.alloc(0), true)), 'a000');
    assert.throws(() => explicit(31, NULL), RangeError);
    assert.throws(() => tlv(0x1f, Buffer.alloc(0)), RangeError);
  });

  test('SET OF is sorted by encoding, SEQUENCE keeps order', () => {
    assert.equal(hex(setOf(integer(2), integer(1))), '3106020101020102');
    assert.equal(hex(sequence(integer(2), integer(1))), '3006020102020101');
  });

  test('an independent parser (openssl asn1parse) reads what we encode', () => {
    const der = sequence(integer(h('80 00')), oid('2.5.29.17'), NULL, boolean(true), bitString(h('80'), 7),
      octetString(h('00')), utf8String('x'), printableString('y'), ia5String('z'), utcTime(Date.UTC(2030, 0, 2, 3, 4, 5)),
      generalizedTime(Date.UTC(2051, 0, 2, 3, 4, 5)), explicit(0, integer(2)), setOf(integer(1)));
    const out = opensslOk(['asn1parse', '-inform', 'DER'], der);
    for (const want of [/INTEGER\s+:8000/, /OBJECT\s+:X509v3 Subject Alternative Name/, /NULL/, /BOOLEAN\s+:255/, /BIT STRING/, /OCTET STRING/,
      /UTF8STRING\s+:x/, /PRINTABLESTRING\s+:y/, /IA5STRING\s+:z/, /UTCTIME\s+:300102030405Z/, /GENERALIZEDTIME\s+:20510102030405Z/, /cont \[ 0 \]/, /SET/]) {
      assert.match(out, want);
    }
  });
});

describe('DER reader', () => {
  test('walks nested elements and reads OIDs back', () => {
    const der = sequence(oid('1.2.840.113549.1.1.11'), sequence(integer(5)));
    const top = readWhole(der, 0x30, 'test');
    const [o, inner] = children(der, top);
    assert.equal(readOid(der, o!), '1.2.840.113549.1.1.11');
    assert.equal(children(der, inner!).length, 1);
    assert.equal(readOid(oid('2.999.3'), readTlv(oid('2.999.3'), 0)), '2.999.3');
  });

  const refuses = (buf: Buffer, re: RegExp) => assert.throws(() => readWhole(buf, buf[0] ?? 0x30, 'x'), (e: unknown) => e instanceof DerError && re.test(e.message));

  test('refuses what DER forbids and what runs past its end', () => {
    refuses(h('30 80 00 00'), /indefinite/);
    refuses(h('04 81 05 0000000000'), /non-minimal/);
    refuses(h('04 82 0001 00'), /non-minimal/);
    refuses(h('04 85 0000000001 00'), /too large/);
    refuses(h('04 05 00'), /truncated/);
    refuses(h('04'), /truncated/);
    refuses(h('04 01 00 00'), /trailing/);
    refuses(h('1f 01 00'), /high tag/);
    refuses(Buffer.alloc(0), /truncated/);
    assert.throws(() => children(h('30 03 02 02 00'), readTlv(h('30 03 02 02 00'), 0)), DerError);
    assert.throws(() => readOid(h('06 02 80 01'), readTlv(h('06 02 80 01'), 0)), /non-minimal/);
    assert.throws(() => readOid(h('06 01 81'), readTlv(h('06 01 81'), 0)), /malformed/);
    assert.throws(() => readTime(h('17 0d 3439313233313234353935395a'), readTlv(h('17 0d 3439313233313234353935395a'), 0)), /impossible/);
    assert.throws(() => readTime(h('17 03 313233'), readTlv(h('17 03 313233'), 0)), /malformed/);
  });
});
