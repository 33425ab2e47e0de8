import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes, sign, verify } from 'node:crypto';
import { encryptPrivateKey, decryptPrivateKey, KEK_MISMATCH, b64uDecode } from '../../src/ca/index.ts';
import { isTesseraError } from '../../src/shared/errors.ts';

const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const kek = randomBytes(32);

test('a wrapped key unwraps to the same key under the same KEK and kid', () => {
  const enc = encryptPrivateKey(kek, 'kid-1', privateKey);
  const back = decryptPrivateKey(kek, 'kid-1', enc);
  const sig = sign('sha256', Buffer.from('m'), back);
  assert.ok(verify('sha256', Buffer.from('m'), publicKey, sig));
});

test('the stored form is v1.<iv>.<tag>.<ct> with a 96-bit IV, a 128-bit tag, and a fresh IV every time', () => {
  const a = encryptPrivateKey(kek, 'k', privateKey).split('.');
  const b = encryptPrivateKey(kek, 'k', privateKey).split('.');
  assert.equal(a.length, 4);
  assert.equal(a[0], 'v1');
  assert.equal(b64uDecode(a[1]!)!.length, 12);
  assert.equal(b64uDecode(a[2]!)!.length, 16);
  assert.notEqual(a[1], b[1]);
  assert.notEqual(a[3], b[3]);
  const der = privateKey.export({ format: 'der', type: 'pkcs8' });
  assert.ok(!b64uDecode(a[3]!)!.equals(der), 'ciphertext is not the plaintext DER');
});

test('a wrong KEK is ERR_KEK with the documented message', () => {
  const enc = encryptPrivateKey(kek, 'kid-1', privateKey);
  assert.throws(() => decryptPrivateKey(randomBytes(32), 'kid-1', enc), (e) => isTesseraError(e, 'ERR_KEK') && e.message === KEK_MISMATCH);
});

test('the kid is authenticated: a ciphertext moved to another kid does not decrypt', () => {
  const enc = encryptPrivateKey(kek, 'kid-1', privateKey);
  assert.throws(() => decryptPrivateKey(kek, 'kid-2', enc), (e) => isTesseraError(e, 'ERR_KEK'));
});

test('any edited byte of iv, tag or ciphertext is refused', () => {
  const enc = encryptPrivateKey(kek, 'k', privateKey);
  const parts = enc.split('.');
  for (const i of [1, 2, 3]) {
    const bytes = b64uDecode(parts[i]!)!;
    bytes[0]! ^= 1;
    const edited = [...parts];
    edited[i] = bytes.toString('base64url');
    assert.throws(() => decryptPrivateKey(kek, 'k', edited.join('.')), (e) => isTesseraError(e, 'ERR_KEK'));
  }
});

test('malformed stored values are ERR_KEK, never a crash', () => {
  for (const v of ['', 'v1', 'v2.a.b.c', 'v1.AAAA.AAAA.AAAA', 'v1..', 'v1.a.b.c.d', `v1.${'A'.repeat(16)}.${'A'.repeat(22)}.`]) {
    assert.throws(() => decryptPrivateKey(kek, 'k', v), (e) => isTesseraError(e, 'ERR_KEK'));
  }
});
