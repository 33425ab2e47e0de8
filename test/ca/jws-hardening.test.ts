// Verification hardening shared by every verifier (issue 4, item 7): each rule with a token
// that breaks only that rule, against the strict path (verifyJws with a registered key), the
// generic path (verifyJwsWithJwk/Jwks, external issuers) and the JWT-SVID verifier.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { once } from 'node:events';
import { constants, createHmac, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import {
  b64u, decodeJws, externalVerifierKeyFromJwk, hasRocaFingerprint, importJwkSet, MAX_JWS_LENGTH, selectKey,
  verifierKeyFromJwk, verifyJws, verifyJwsWithJwk, verifyJwsWithJwks, verifyJwtSvid, verifySignature,
} from '../../src/ca/index.ts';
import { isTesseraError } from '../../src/shared/errors.ts';

const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const attacker = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ecJwk = { ...ec.publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'ES256', use: 'sig' };
const rsaJwk = { ...rsa.publicKey.export({ format: 'jwk' }), kid: 'r1' };
const attackerJwk = attacker.publicKey.export({ format: 'jwk' });

function jws(header: Record<string, unknown>, payload: unknown, signer: (input: Buffer) => Buffer): string {
  const input = `${b64u(JSON.stringify(header))}.${b64u(typeof payload === 'string' ? payload : JSON.stringify(payload))}`;
  return `${input}.${b64u(signer(Buffer.from(input)))}`;
}
const es256 = (key: KeyObject) => (i: Buffer) => sign('sha256', i, { key, dsaEncoding: 'ieee-p1363' });
const rs256 = (i: Buffer) => sign('sha256', i, rsa.privateKey);
const claims = { sub: 'spiffe://tessera.test/w', aud: ['a'], exp: 2_000_000_000, iat: 1_700_000_000 };

/** Each verifier path under test, as "is this token accepted with this (ES256, kid k1) key". */
const strictKey = verifierKeyFromJwk(ecJwk);
const paths: Record<string, (token: string) => boolean> = {
  'verifyJws (registered key)': (t) => verifyJws(t, strictKey).ok,
  'verifyJwsWithJwk (external key)': (t) => verifyJwsWithJwk(t, ecJwk).ok,
  'verifyJwsWithJwks (external key set)': (t) => verifyJwsWithJwks(t, { keys: [ecJwk, rsaJwk] }).ok,
  'verifyJwtSvid': (t) => verifyJwtSvid(t, { key: (kid) => (kid === 'k1' ? strictKey : undefined), audience: 'a', now: 1_700_000_000_000 }).ok,
};
function acceptedBy(token: string): string[] {
  return Object.entries(paths).filter(([, ok]) => ok(token)).map(([name]) => name);
}
const ALL = Object.keys(paths);

test('control: a well-formed ES256 token with kid k1 is accepted by every path', () => {
  assert.deepEqual(acceptedBy(jws({ alg: 'ES256', kid: 'k1' }, claims, es256(ec.privateKey))), ALL);
});

test('the algorithm comes from the key: none, other algorithms and HS256 keyed with the public key all fail', () => {
  const input = (h: Record<string, unknown>) => `${b64u(JSON.stringify(h))}.${b64u(JSON.stringify(claims))}`;
  for (const alg of ['none', 'None', 'NONE', '']) {
    assert.deepEqual(acceptedBy(`${input({ alg, kid: 'k1' })}.`), [], `alg ${alg}, no signature`);
    assert.deepEqual(acceptedBy(`${input({ alg, kid: 'k1' })}.${b64u(Buffer.alloc(64))}`), [], `alg ${alg}, junk signature`);
  }
  // A genuine ES256 signature by the real key over a header naming another algorithm: only the
  // pin (header alg must equal the key's) refuses it, since the signature itself verifies.
  for (const alg of ['ES384', 'ES512', 'EdDSA', 'RS256', 'HS256', 'none', 'es256', 'ES256 ', undefined]) {
    assert.deepEqual(acceptedBy(jws({ alg, kid: 'k1' }, claims, es256(ec.privateKey))), [], String(alg));
  }
  // HS256 with every spelling of the public key as the HMAC secret.
  const secrets = [ec.publicKey.export({ format: 'pem', type: 'spki' }), ec.publicKey.export({ format: 'der', type: 'spki' }),
    JSON.stringify(ecJwk), Buffer.from(ecJwk.x!, 'base64url')];
  for (const secret of secrets) {
    const h = input({ alg: 'HS256', kid: 'k1' });
    assert.deepEqual(acceptedBy(`${h}.${b64u(createHmac('sha256', secret).update(h).digest())}`), []);
  }
  assert.equal(verifySignature('HS256', ec.publicKey, Buffer.from('x'), createHmac('sha256', 'x').update('x').digest()), false);
  // An asymmetric JWK cannot be declared as an HMAC key, nor as an algorithm of another family.
  for (const [jwk, alg] of [[rsaJwk, 'HS256'], [ecJwk, 'HS256'], [rsaJwk, 'ES256'], [ecJwk, 'RS256'], [rsaJwk, 'none']] as const) {
    assert.throws(() => externalVerifierKeyFromJwk({ ...jwk, alg }), (e) => isTesseraError(e, 'ERR_UNSUPPORTED_KEY') && e.details?.field === 'jwk.alg');
  }
  // The caller's allow-list is enforced at import: a source that allows only ES256 refuses RS256 keys.
  assert.throws(() => externalVerifierKeyFromJwk(rsaJwk, { algorithms: ['ES256'] }), (e) => isTesseraError(e, 'ERR_UNSUPPORTED_KEY') && e.details?.field === 'jwk.alg');
  assert.equal(externalVerifierKeyFromJwk(rsaJwk, { algorithms: ['RS256'] }).alg, 'RS256');
  // An RSA key declared PS256 does not verify an RS256 token made with the same key, and vice versa.
  const rsToken = jws({ alg: 'RS256', kid: 'r1' }, claims, rs256);
  assert.equal(verifyJwsWithJwk(rsToken, rsaJwk).ok, true);
  assert.equal(verifyJwsWithJwk(rsToken, { ...rsaJwk, alg: 'PS256' }).ok, false);
});

test('jku, x5u, x5c and an embedded jwk never choose the key, and nothing is fetched', async () => {
  let hits = 0;
  const server = createServer((_req, res) => { hits++; res.setHeader('content-type', 'application/json'); res.end(JSON.stringify({ keys: [{ ...attackerJwk, kid: 'k1' }] })); });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/jwks`;
  try {
    const hints = { jku: url, x5u: url, jwk: { ...attackerJwk, kid: 'k1' }, x5c: ['MIIB'] };
    // Signed by the attacker, pointing at the attacker's key: refused everywhere.
    for (const [name, value] of Object.entries(hints)) {
      assert.deepEqual(acceptedBy(jws({ alg: 'ES256', kid: 'k1', [name]: value }, claims, es256(attacker.privateKey))), [], name);
    }
    assert.deepEqual(acceptedBy(jws({ alg: 'ES256', kid: 'k1', ...hints }, claims, es256(attacker.privateKey))), []);
    // Signed by the real key, with bogus hints: accepted, the hints are simply ignored.
    assert.deepEqual(acceptedBy(jws({ alg: 'ES256', kid: 'k1', ...hints }, claims, es256(ec.privateKey))), ALL);
    assert.equal(hits, 0, 'no verifier fetched a jku or x5u');
  } finally {
    server.close();
  }
});

test('crit is refused whatever it lists; b64 other than true is refused even without crit', () => {
  for (const crit of [['exp'], [], ['b64'], 'b64', ['http://example.com/x']]) {
    assert.deepEqual(acceptedBy(jws({ alg: 'ES256', kid: 'k1', crit, exp: 1, b64: true }, claims, es256(ec.privateKey))), [], JSON.stringify(crit));
  }
  for (const b64 of [false, 'false', 0, null]) {
    assert.deepEqual(acceptedBy(jws({ alg: 'ES256', kid: 'k1', b64 }, claims, es256(ec.privateKey))), [], `b64 ${JSON.stringify(b64)}`);
  }
  // RFC 7797 unencoded payload: the signature covers the raw payload, which must not verify either.
  const header = b64u(JSON.stringify({ alg: 'ES256', kid: 'k1', b64: false, crit: ['b64'] }));
  const raw = JSON.stringify(claims);
  const detached = `${header}..${b64u(es256(ec.privateKey)(Buffer.from(`${header}.${raw}`)))}`;
  assert.deepEqual(acceptedBy(detached), []);
  assert.deepEqual(acceptedBy(jws({ alg: 'ES256', kid: 'k1', b64: true }, claims, es256(ec.privateKey))), ALL, 'b64: true is the default');
});

test('tokens longer than MAX_JWS_LENGTH are refused before any parsing; one just under is verified', () => {
  const sized = (target: number) => {
    const base = jws({ alg: 'ES256', kid: 'k1' }, { ...claims, pad: '' }, es256(ec.privateKey)).length;
    // base64url grows by 4/3: aim the padding so that the token lands on the target length.
    const pad = 'x'.repeat(Math.floor(((target - base) * 3) / 4));
    return jws({ alg: 'ES256', kid: 'k1' }, { ...claims, pad }, es256(ec.privateKey));
  };
  const under = sized(MAX_JWS_LENGTH - 8);
  assert.ok(under.length <= MAX_JWS_LENGTH);
  assert.deepEqual(acceptedBy(under), ALL);
  const over = sized(MAX_JWS_LENGTH + 8);
  assert.ok(over.length > MAX_JWS_LENGTH);
  assert.deepEqual(acceptedBy(over), []);
  const d = decodeJws(over);
  assert.equal(d.ok, false);
  assert.equal(!d.ok && d.reason, 'token is too long');
});

test('kid is opaque: matched byte for byte, never normalised; a non-string kid is refused', () => {
  const odd = ['../../etc/passwd', 'https://evil.example/jwks', "k1' OR '1'='1", 'K1', 'k1 ', ' k1', 'k1\u0000', 'k\u0131'];
  const set = importJwkSet({ keys: [ecJwk, { ...rsaJwk, kid: '../../etc/passwd' }] });
  assert.equal(selectKey(set, 'k1')?.kid, 'k1');
  assert.equal(selectKey(set, '../../etc/passwd')?.kid, '../../etc/passwd', 'an odd kid is just a string');
  for (const kid of odd.slice(1)) assert.equal(selectKey(set, kid), undefined, JSON.stringify(kid));
  for (const kid of odd) {
    assert.deepEqual(acceptedBy(jws({ alg: 'ES256', kid }, claims, es256(ec.privateKey))).filter((p) => p !== 'verifyJws (registered key)' && p !== 'verifyJwsWithJwk (external key)'), [], JSON.stringify(kid));
  }
  for (const kid of [1, ['k1'], { kid: 'k1' }, null, true, 'k'.repeat(1025)]) {
    assert.deepEqual(acceptedBy(jws({ alg: 'ES256', kid }, claims, es256(ec.privateKey))), [], JSON.stringify(kid).slice(0, 30));
  }
  // A JWK whose kid is not a string is refused at import.
  assert.throws(() => externalVerifierKeyFromJwk({ ...ecJwk, kid: 7 }), (e) => isTesseraError(e, 'ERR_UNSUPPORTED_KEY') && e.details?.field === 'jwk.kid');
});

test('key sets: duplicate kids and mixed symmetric/asymmetric sets are refused whole; a private key refuses the set', () => {
  const dup = () => importJwkSet({ keys: [ecJwk, { ...rsaJwk, kid: 'k1' }] });
  assert.throws(dup, (e) => isTesseraError(e, 'ERR_UNSUPPORTED_KEY') && e.details?.rule === 'unique-kid');
  const oct = { kty: 'oct', alg: 'HS256', kid: 'h', k: b64u(Buffer.alloc(32, 7)) };
  assert.throws(() => importJwkSet({ keys: [ecJwk, oct] }, { allowSymmetric: true }), (e) => isTesseraError(e) && e.details?.rule === 'mixed-key-set');
  assert.throws(() => importJwkSet({ keys: [ecJwk, { ...ec.privateKey.export({ format: 'jwk' }), kid: 'p' }] }), (e) => isTesseraError(e) && String(e.details?.field).endsWith('.d'));
  // Unusable keys (encryption keys, unknown types) are skipped with a reason, the rest still work.
  const mixed = importJwkSet({ keys: [ecJwk, { ...rsaJwk, use: 'enc' }, { kty: 'OKP', crv: 'X25519', x: ecJwk.x, kid: 'x' }] });
  assert.deepEqual(mixed.keys.map((k) => k.kid), ['k1']);
  assert.equal(mixed.skipped.length, 2);
  assert.equal(verifyJwsWithJwks(jws({ alg: 'ES256', kid: 'k1' }, claims, es256(ec.privateKey)), { keys: [ecJwk, oct] }).ok, false);
  // A token without kid matches only a set of exactly one key.
  const noKid = jws({ alg: 'ES256' }, claims, es256(ec.privateKey));
  assert.equal(verifyJwsWithJwks(noKid, { keys: [ecJwk] }).ok, true);
  assert.equal(verifyJwsWithJwks(noKid, { keys: [ecJwk, rsaJwk] }).ok, false);
});

test('weak and malformed external keys are refused with ERR_UNSUPPORTED_KEY naming the member', () => {
  const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' });
  const cases: [unknown, string][] = [
    [small, 'jwk.n'],
    [{ ...rsaJwk, e: 'AQ' }, 'jwk.e'],
    [{ ...rsaJwk, e: 'Aw' }, 'jwk.e'],
    [{ ...rsaJwk, n: b64u(Buffer.concat([Buffer.alloc(1), Buffer.from(rsaJwk.n!, 'base64url')])) }, 'jwk.n'],
    [{ ...ecJwk, crv: 'P-384' }, 'jwk'],
    [{ ...ecJwk, crv: 'secp256k1' }, 'jwk.crv'],
    [{ ...ecJwk, y: ecJwk.x }, 'jwk'],
    [{ ...ecJwk, use: 'enc' }, 'jwk.use'],
    [{ ...ecJwk, key_ops: ['encrypt'] }, 'jwk.key_ops'],
    [{ ...ecJwk, alg: 'ES224' }, 'jwk.alg'],
    [{ ...ecJwk, alg: 'ES521' }, 'jwk.alg'],
    [{ kty: 'oct', alg: 'HS256', k: b64u(Buffer.alloc(32)) }, 'jwk.kty'],
    [{ kty: 'oct', alg: 'HS256', k: b64u(Buffer.alloc(31)) }, 'jwk.k'],
    [{ kty: 'oct', alg: 'A128GCM', k: b64u(Buffer.alloc(16)) }, 'jwk.alg'],
    [{ kty: 'oct', k: b64u(Buffer.alloc(64)) }, 'jwk.alg'],
  ];
  for (const [i, [jwk, field]] of cases.entries()) {
    const allowSymmetric = i >= cases.length - 3;
    assert.throws(() => externalVerifierKeyFromJwk(jwk, { allowSymmetric }), (e) => isTesseraError(e, 'ERR_UNSUPPORTED_KEY') && e.details?.field === field,
      `case ${i}: expected ${field}`);
  }
});

test('RSA keys with the ROCA fingerprint are refused, on the external and on the registered path', () => {
  // A modulus built the way the flawed generator builds primes: p = k·M + 65537^a mod M.
  const primes = [3n, 5n, 7n, 11n, 13n, 17n, 19n, 23n, 29n, 31n, 37n, 41n, 43n, 47n, 53n, 59n, 61n, 67n, 71n, 73n, 79n, 83n, 89n, 97n, 101n, 103n, 107n, 109n, 113n, 127n, 131n, 137n, 139n, 149n, 151n, 157n, 163n, 167n];
  const M = primes.reduce((a, b) => a * b, 1n);
  const pow = (b: bigint, e: bigint, m: bigint) => { let r = 1n; b %= m; while (e > 0n) { if (e & 1n) r = (r * b) % m; b = (b * b) % m; e >>= 1n; } return r; };
  const p = (1n << 1024n) / M * M + pow(65537n, 12345n, M);
  const q = (1n << 1025n) / M * M + pow(65537n, 777n, M);
  const n = p * q;
  const nBytes = Buffer.from(n.toString(16).padStart(Math.ceil(n.toString(16).length / 2) * 2, '0'), 'hex');
  assert.equal(hasRocaFingerprint(nBytes), true);
  assert.equal(hasRocaFingerprint(Buffer.from(rsaJwk.n!, 'base64url')), false, 'a key from node:crypto');
  const roca = { kty: 'RSA', n: b64u(nBytes), e: 'AQAB' };
  assert.throws(() => externalVerifierKeyFromJwk(roca), (e) => isTesseraError(e, 'ERR_UNSUPPORTED_KEY') && e.details?.field === 'jwk.n' && /ROCA/.test(e.message));
  assert.throws(() => verifierKeyFromJwk(roca, 'jwk', { allowRsa: true }), (e) => isTesseraError(e, 'ERR_INVALID_INPUT') && e.details?.field === 'jwk.n' && /ROCA/.test(e.message));
});

test('every supported algorithm verifies its own signature and refuses its neighbours\' keys', () => {
  const data = Buffer.from('data');
  const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  const p521 = generateKeyPairSync('ec', { namedCurve: 'P-521' });
  const ok = (alg: Parameters<typeof verifySignature>[0], key: KeyObject, sig: Buffer) => verifySignature(alg, key, data, sig);
  const es384 = sign('sha384', data, { key: p384.privateKey, dsaEncoding: 'ieee-p1363' });
  const es512 = sign('sha512', data, { key: p521.privateKey, dsaEncoding: 'ieee-p1363' });
  assert.equal(ok('ES384', p384.publicKey, es384), true);
  assert.equal(ok('ES512', p521.publicKey, es512), true);
  assert.equal(ok('ES256', p384.publicKey, es384), false);
  assert.equal(ok('ES512', p384.publicKey, es384), false);
  const pss = (hash: string, salt: number) => sign(hash, data, { key: rsa.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: salt });
  assert.equal(ok('PS256', rsa.publicKey, pss('sha256', 32)), true);
  assert.equal(ok('PS256', rsa.publicKey, pss('sha256', 20)), false, 'salt must be as long as the hash');
  assert.equal(ok('PS384', rsa.publicKey, pss('sha384', 48)), true);
  assert.equal(ok('RS384', rsa.publicKey, pss('sha384', 48)), false);
  assert.equal(ok('RS512', rsa.publicKey, sign('sha512', data, rsa.privateKey)), true);
  assert.equal(ok('PS512', rsa.publicKey, sign('sha512', data, rsa.privateKey)), false);
});
