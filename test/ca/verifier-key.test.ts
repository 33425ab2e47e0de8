import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { verifierKeyFromJwk, verifyJws, b64u } from '../../src/ca/index.ts';
import { isTesseraError } from '../../src/shared/errors.ts';

const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ed = generateKeyPairSync('ed25519');
const ecJwk = ec.publicKey.export({ format: 'jwk' });
const edJwk = ed.publicKey.export({ format: 'jwk' });

test('public P-256 keys pin ES256 and Ed25519 keys pin EdDSA; extra members are dropped', () => {
  const a = verifierKeyFromJwk({ ...ecJwk, kid: 'x', use: 'sig', alg: 'ES256', key_ops: ['verify'] });
  assert.equal(a.alg, 'ES256');
  assert.deepEqual(a.jwk, { kty: 'EC', crv: 'P-256', x: ecJwk.x, y: ecJwk.y });
  const b = verifierKeyFromJwk(edJwk);
  assert.equal(b.alg, 'EdDSA');
  assert.deepEqual(b.jwk, { kty: 'OKP', crv: 'Ed25519', x: edJwk.x });
});

test('every key Tessera does not verify with is refused with ERR_INVALID_INPUT naming the member', () => {
  const cases: [unknown, string][] = [
    [null, 'publicJwk'],
    ['{"kty":"EC"}', 'publicJwk'],
    [[ecJwk], 'publicJwk'],
    [ec.privateKey.export({ format: 'jwk' }), 'publicJwk.d'],
    [ed.privateKey.export({ format: 'jwk' }), 'publicJwk.d'],
    [{ kty: 'oct', k: b64u(Buffer.alloc(32)) }, 'publicJwk.k'],
    [generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' }), 'publicJwk.kty'],
    [generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ format: 'jwk' }), 'publicJwk.crv'],
    [generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).publicKey.export({ format: 'jwk' }), 'publicJwk.crv'],
    [generateKeyPairSync('x25519').publicKey.export({ format: 'jwk' }), 'publicJwk.crv'],
    [{ ...ecJwk, use: 'enc' }, 'publicJwk.use'],
    [{ ...ecJwk, key_ops: ['encrypt'] }, 'publicJwk.key_ops'],
    [{ ...ecJwk, key_ops: 'verify' }, 'publicJwk.key_ops'],
    [{ ...ecJwk, alg: 'HS256' }, 'publicJwk.alg'],
    [{ ...ecJwk, alg: 'ES384' }, 'publicJwk.alg'],
    [{ ...edJwk, alg: 'ES256' }, 'publicJwk.alg'],
    [{ ...ecJwk, x: ecJwk.x!.slice(0, -2) }, 'publicJwk.x'],
    [{ ...ecJwk, y: `${ecJwk.y}A` }, 'publicJwk.y'],
    [{ ...ecJwk, x: `${ecJwk.x}=` }, 'publicJwk.x'],
    [{ kty: 'EC', crv: 'P-256', x: ecJwk.x }, 'publicJwk.y'],
    [{ ...ecJwk, y: ecJwk.x }, 'publicJwk'], // not a point on the curve
  ];
  for (const [jwk, field] of cases) {
    assert.throws(() => verifierKeyFromJwk(jwk), (e) => isTesseraError(e, 'ERR_INVALID_INPUT') && e.details?.field === field,
      `expected ${field} for ${JSON.stringify(jwk)?.slice(0, 80)}`);
  }
});

function token(header: Record<string, unknown>, payload: Record<string, unknown>, signer: (input: Buffer) => Buffer): string {
  const input = `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(payload))}`;
  return `${input}.${b64u(signer(Buffer.from(input)))}`;
}
const es256 = (i: Buffer) => sign('sha256', i, { key: ec.privateKey, dsaEncoding: 'ieee-p1363' });

test('verifyJws: alg must equal the key\'s pinned alg; crit is refused; DER signatures are refused', () => {
  const key = verifierKeyFromJwk(ecJwk);
  assert.ok(verifyJws(token({ alg: 'ES256' }, { a: 1 }, es256), key).ok);
  assert.equal(verifyJws(token({ alg: 'ES384' }, { a: 1 }, es256), key).ok, false);
  assert.equal(verifyJws(token({ alg: 'EdDSA' }, { a: 1 }, es256), key).ok, false);
  assert.equal(verifyJws(token({}, { a: 1 }, es256), key).ok, false);
  assert.equal(verifyJws(token({ alg: 'ES256', crit: ['exp'], exp: 1 }, { a: 1 }, es256), key).ok, false);
  assert.equal(verifyJws(token({ alg: 'ES256' }, { a: 1 }, (i) => sign('sha256', i, ec.privateKey)), key).ok, false, 'DER-encoded ECDSA');
  const edKey = verifierKeyFromJwk(edJwk);
  assert.ok(verifyJws(token({ alg: 'EdDSA' }, { a: 1 }, (i) => sign(null, i, ed.privateKey)), edKey).ok);
  assert.equal(verifyJws(token({ alg: 'Ed25519' }, { a: 1 }, (i) => sign(null, i, ed.privateKey)), edKey).ok, false);
});

test('verifyJws: non-canonical base64url, extra parts and oversized tokens are refused', () => {
  const key = verifierKeyFromJwk(ecJwk);
  const good = token({ alg: 'ES256' }, { a: 1 }, es256);
  assert.ok(verifyJws(good, key).ok);
  const [h, p, s] = good.split('.') as [string, string, string];
  for (const bad of [`${h}.${p}.${s}=`, `${h}=.${p}.${s}`, `${h}.${p}.${s}.`, `${h}.${p}`, `${h} .${p}.${s}`, `${h}.${p}.${s.replace(/-/g, '+')}x`,
    `${h}.${p}.${s}`.padEnd(20_000, 'A')]) {
    assert.equal(verifyJws(bad, key).ok, false, bad.slice(0, 60));
  }
});
