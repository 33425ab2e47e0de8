import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseCsr, createCsr, toPem, CSR_MAX_BYTES } from '../../../src/ca/x509/index.ts';
import { CSR_MAX_PEM_CHARS } from '../../../src/ca/x509/parse-csr.ts';
import { TesseraError } from '../../../src/shared/errors.ts';
import { sequence, integer, oid, bitString, NULL, implicit } from '../../../src/ca/x509/der.ts';
import { EMPTY_NAME } from '../../../src/ca/x509/extensions.ts';
import { children, encodingOf, readWhole } from '../../../src/ca/x509/der-reader.ts';
import { scratch, opensslOk } from './test-ca.ts';

type Scratch = ReturnType<typeof scratch>;

/** A CSR made by `openssl req` (a real external producer): its DER and the key's public half. */
function opensslCsr(s: Scratch, name: string, keyArgs: string[], extra: string[] = []): { der: Buffer; pem: string; spki: Buffer } {
  opensslOk(['req', '-new', ...keyArgs, '-nodes', '-keyout', s.file(`${name}.key`), '-subj', '/CN=someone else', '-out', s.file(`${name}.csr`), ...extra]);
  return fromFiles(s, name);
}

function fromFiles(s: Scratch, name: string) {
  const pem = readFileSync(s.file(`${name}.csr`), 'utf8');
  const der = Buffer.from(opensslOk(['req', '-in', s.file(`${name}.csr`), '-outform', 'DER']), 'latin1');
  const spki = createPublicKey(createPrivateKey(readFileSync(s.file(`${name}.key`)))).export({ type: 'spki', format: 'der' });
  return { der, pem, spki };
}

/** Asserts a refusal with its code, the field and a rule matching `rule`. */
function refused(input: unknown, code: string, rule: RegExp) {
  assert.throws(() => parseCsr(input), (e: unknown) => {
    assert.ok(e instanceof TesseraError, String(e));
    assert.equal(e.code, code, e.message);
    assert.equal(e.details?.field, 'csr');
    assert.match(String(e.details?.rule), rule);
    return true;
  });
}

describe('parseCsr', () => {
  let s: Scratch;
  before(() => { s = scratch(); });
  after(() => { s.cleanup(); });

  const ACCEPTED: [string, string[], string][] = [
    ['p256', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'], 'ec-p256'],
    ['p384', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384'], 'ec-p384'],
    ['ed25519', ['-newkey', 'ed25519'], 'ed25519'],
    ['rsa2048', ['-newkey', 'rsa:2048'], 'rsa'],
  ];
  for (const [name, args, type] of ACCEPTED) {
    test(`accepts an openssl-made ${name} request, PEM or DER, and returns its key`, () => {
      const csr = opensslCsr(s, name, args, ['-addext', 'subjectAltName=URI:spiffe://tessera.local/not/me']);
      for (const input of [csr.pem, csr.der, Buffer.from(csr.pem)]) {
        const parsed = parseCsr(input);
        assert.equal(parsed.keyType, type);
        assert.deepEqual(parsed.spkiDer, csr.spki);
        assert.deepEqual(parsed.publicKey.export({ type: 'spki', format: 'der' }), csr.spki);
      }
    });
  }

  test('an EC key in compressed form is re-encoded uncompressed (some TLS stacks read no other)', () => {
    opensslOk(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', s.file('c.key')]);
    opensslOk(['ec', '-in', s.file('c.key'), '-conv_form', 'compressed', '-out', s.file('compressed.key')]);
    opensslOk(['req', '-new', '-key', s.file('compressed.key'), '-subj', '/CN=x', '-out', s.file('compressed.csr')]);
    const { der, spki } = fromFiles(s, 'compressed');
    assert.equal(spki.length, 59, 'openssl made a compressed key');
    const parsed = parseCsr(der);
    assert.equal(parsed.keyType, 'ec-p256');
    const jwk = (d: Buffer) => createPublicKey({ key: d, format: 'der', type: 'spki' }).export({ format: 'jwk' });
    assert.deepEqual(jwk(parsed.spkiDer), jwk(spki));
    assert.equal(parsed.spkiDer.length, 91);
    assert.equal(parsed.spkiDer[26], 0x04);
    assert.ok(!der.includes(parsed.spkiDer), 'the request carried another encoding of the key');
    assert.equal(parsed.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
  });

  test('accepts RSA signed with SHA-384 and SHA-512, and text around the PEM block', () => {
    for (const md of ['-sha384', '-sha512']) {
      const csr = opensslCsr(s, `rsa${md}`, ['-newkey', 'rsa:2048'], [md]);
      assert.equal(parseCsr(`openssl said:\n${csr.pem}\ntrailing notes`).keyType, 'rsa');
    }
  });

  test('accepts requests from our own encoder (verified by openssl too)', () => {
    for (const [type, kp] of [['ec-p256', generateKeyPairSync('ec', { namedCurve: 'P-256' })], ['ed25519', generateKeyPairSync('ed25519')]] as const) {
      const der = createCsr({ privateKey: kp.privateKey, commonName: 'x', uris: ['spiffe://tessera.local/a'] });
      assert.equal(parseCsr(der).keyType, type);
      assert.match(opensslOk(['req', '-inform', 'DER', '-verify', '-noout'], der) + 'verify OK', /verify OK/);
    }
  });

  describe('refusals: a clear code and rule, nothing returned', () => {
    test('a flipped byte in the signature: ERR_INVALID_CSR, signature does not verify', () => {
      const { der } = opensslCsr(s, 'flip', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256']);
      const bad = Buffer.from(der);
      bad[bad.length - 5]! ^= 0x01; // inside the signature's last INTEGER
      refused(bad, 'ERR_INVALID_CSR', /signature does not verify/);
      refused(toPem(bad, 'CERTIFICATE REQUEST'), 'ERR_INVALID_CSR', /signature does not verify/);
    });

    test('a changed subject (signed content) no longer verifies', () => {
      const { der } = opensslCsr(s, 'subj', ['-newkey', 'ed25519']);
      const bad = Buffer.from(der);
      const at = bad.indexOf(Buffer.from('someone else'));
      bad[at] = 'S'.charCodeAt(0);
      refused(bad, 'ERR_INVALID_CSR', /signature does not verify/);
    });

    test('RSA-1024: ERR_UNSUPPORTED_KEY naming the size', () => {
      const { der } = opensslCsr(s, 'rsa1024', ['-newkey', 'rsa:1024']);
      refused(der, 'ERR_UNSUPPORTED_KEY', /at least 2048 bits, this one has 1024/);
    });

    test('P-192: ERR_UNSUPPORTED_KEY', () => {
      opensslOk(['ecparam', '-name', 'prime192v1', '-genkey', '-noout', '-out', s.file('p192.key')]);
      opensslOk(['req', '-new', '-key', s.file('p192.key'), '-subj', '/CN=x', '-out', s.file('p192.csr')]);
      refused(readFileSync(s.file('p192.csr'), 'utf8'), 'ERR_UNSUPPORTED_KEY', /P-192 keys are too weak/);
    });

    test('other key types: P-521, Ed448, RSASSA-PSS keys are refused with ERR_UNSUPPORTED_KEY', () => {
      refused(opensslCsr(s, 'p521', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-521']).der, 'ERR_UNSUPPORTED_KEY', /curve 1\.3\.132\.0\.35 is not accepted/);
      refused(opensslCsr(s, 'ed448', ['-newkey', 'ed448']).der, 'ERR_UNSUPPORTED_KEY', /Ed448 is not accepted/);
      refused(opensslCsr(s, 'pss', ['-newkey', 'rsa-pss', '-pkeyopt', 'rsa_keygen_bits:2048']).der, 'ERR_UNSUPPORTED_KEY', /RSASSA-PSS is not accepted/);
    });

    test('SHA-1 signatures are refused', () => {
      refused(opensslCsr(s, 'sha1', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'], ['-sha1']).der, 'ERR_INVALID_CSR', /SHA-1/);
    });

    test('a signature algorithm that does not match the key', () => {
      // An Ed25519 key with an ecdsa-with-SHA256 signature over the same info.
      const kp = generateKeyPairSync('ed25519');
      const good = createCsr({ privateKey: kp.privateKey });
      const [info] = children(good, readWhole(good, 0x30, 'csr'));
      const bad = sequence(encodingOf(good, info!), sequence(oid('1.2.840.10045.4.3.2')), bitString(Buffer.alloc(64, 1)));
      refused(bad, 'ERR_INVALID_CSR', /does not match the ed25519 key/);
    });

    test('garbage, truncated, trailing bytes, wrong structure', () => {
      const { der, pem } = opensslCsr(s, 'base', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256']);
      refused(Buffer.from('this is not a certificate request at all'), 'ERR_INVALID_CSR', /not a well-formed DER/);
      refused(Buffer.from([0x30, 0x80, 0x00, 0x00]), 'ERR_INVALID_CSR', /indefinite/);
      refused(der.subarray(0, Math.floor(der.length / 2)), 'ERR_INVALID_CSR', /truncated/);
      refused(der.subarray(0, der.length - 1), 'ERR_INVALID_CSR', /truncated/);
      refused(Buffer.concat([der, Buffer.from([0])]), 'ERR_INVALID_CSR', /trailing/);
      refused(sequence(integer(1)), 'ERR_INVALID_CSR', /must have info, signatureAlgorithm and signature/);
      refused(Buffer.alloc(0), 'ERR_INVALID_CSR', /empty/);
      refused('garbage', 'ERR_INVALID_CSR', /PEM certificate request/);
      refused(pem.replace(/[A-Za-z0-9+/]{10}\n/, '!!!!!!!!!!\n'), 'ERR_INVALID_CSR', /base64/);
      refused(pem + pem, 'ERR_INVALID_CSR', /exactly one/);
      refused(pem.replace(/CERTIFICATE REQUEST/g, 'CERTIFICATE'), 'ERR_INVALID_CSR', /PEM certificate request/);
      refused(42, 'ERR_INVALID_CSR', /PEM certificate request/);
      refused(undefined, 'ERR_INVALID_CSR', /PEM certificate request/);
    });

    test('version other than 0, missing attributes', () => {
      const kp = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const spki = kp.publicKey.export({ type: 'spki', format: 'der' });
      const sig = sequence(oid('1.2.840.10045.4.3.2'));
      refused(sequence(sequence(integer(1), EMPTY_NAME, spki, implicit(0, Buffer.alloc(0), true)), sig, bitString(Buffer.alloc(8))), 'ERR_INVALID_CSR', /version must be 0/);
      refused(sequence(sequence(integer(0), EMPTY_NAME, spki), sig, bitString(Buffer.alloc(8))), 'ERR_INVALID_CSR', /must have version, subject/);
      refused(sequence(sequence(integer(0), EMPTY_NAME, spki, implicit(0, Buffer.alloc(0), true)), sequence(oid('1.2.840.10045.4.3.2'), NULL), bitString(Buffer.alloc(8))), 'ERR_INVALID_CSR', /unexpected parameters/);
    });

    test('oversized: DER over the limit and PEM over its limit', () => {
      const big = sequence(Buffer.alloc(CSR_MAX_BYTES, 0));
      refused(big, 'ERR_INVALID_CSR', new RegExp(`at most ${CSR_MAX_BYTES} bytes`));
      refused(toPem(big, 'CERTIFICATE REQUEST'), 'ERR_INVALID_CSR', new RegExp(`at most ${CSR_MAX_BYTES} bytes`));
      refused(toPem(Buffer.alloc(CSR_MAX_PEM_CHARS), 'CERTIFICATE REQUEST'), 'ERR_INVALID_CSR', new RegExp(`at most ${CSR_MAX_PEM_CHARS} characters of PEM`));
    });
  });
});
