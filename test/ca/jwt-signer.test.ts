import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import * as jose from 'jose';
import { createJwtSigner, jwkThumbprint, verifyJws, verifierKeyFromJwk, decodeJws } from '../../src/ca/index.ts';

const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const publicJwk = publicKey.export({ format: 'jwk' });

test('the signer emits compact ES256 JWS that jose (a library written by others) verifies', async () => {
  const signer = createJwtSigner({ kid: 'k1', privateKey });
  const token = signer.sign({ sub: 'x', n: 1 }, 'at+jwt');
  const { payload, protectedHeader } = await jose.compactVerify(token, await jose.importJWK(publicJwk as jose.JWK, 'ES256'));
  assert.deepEqual(protectedHeader, { alg: 'ES256', typ: 'at+jwt', kid: 'k1' });
  assert.deepEqual(JSON.parse(Buffer.from(payload).toString()), { sub: 'x', n: 1 });
  // Our own verify path agrees; a different typ gets its own header.
  assert.ok(verifyJws(token, verifierKeyFromJwk(publicJwk)).ok);
  const other = decodeJws(signer.sign({}, 'JWT'));
  assert.ok(other.ok);
  assert.deepEqual(other.jws.header, { alg: 'ES256', typ: 'JWT', kid: 'k1' });
});

test('the signer refuses keys that are neither P-256 nor RSA of 2048 bits or more, and an alg that does not match the key', () => {
  assert.throws(() => createJwtSigner({ kid: 'k', privateKey: generateKeyPairSync('ed25519').privateKey }));
  assert.throws(() => createJwtSigner({ kid: 'k', privateKey: generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey }));
  assert.throws(() => createJwtSigner({ kid: 'k', privateKey: generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey }));
  assert.throws(() => createJwtSigner({ kid: 'k', privateKey, alg: 'RS256' }), /for ES256, not RS256/);
});

test('RS256: header exactly {alg, kid, typ}, a PKCS#1 v1.5 signature that jose verifies', async () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signer = createJwtSigner({ kid: 'r1', privateKey: rsa.privateKey });
  assert.equal(signer.alg, 'RS256');
  const token = signer.sign({ sub: 'x' }, 'JWT');
  assert.equal(Buffer.from(token.split('.')[0]!, 'base64url').toString(), '{"alg":"RS256","kid":"r1","typ":"JWT"}');
  const { protectedHeader } = await jose.compactVerify(token, await jose.importJWK(rsa.publicKey.export({ format: 'jwk' }) as jose.JWK, 'RS256'));
  assert.deepEqual(protectedHeader, { alg: 'RS256', kid: 'r1', typ: 'JWT' });
  assert.ok(verifyJws(token, verifierKeyFromJwk(rsa.publicKey.export({ format: 'jwk' }), 'jwk', { allowRsa: true })).ok);
});

test('jwkThumbprint is RFC 7638: equal to jose.calculateJwkThumbprint for EC, OKP and RSA keys', async () => {
  const keys = [
    publicJwk,
    generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }),
    generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' }),
  ];
  for (const k of keys) assert.equal(jwkThumbprint(k), await jose.calculateJwkThumbprint(k as jose.JWK, 'sha256'));
  // Extra members do not change it.
  assert.equal(jwkThumbprint({ ...publicJwk, kid: 'x', alg: 'ES256', use: 'sig' }), jwkThumbprint(publicJwk));
  // The RFC 7638 §3.1 example.
  const rfc = {
    kty: 'RSA', e: 'AQAB', alg: 'RS256', kid: '2011-04-29',
    n: '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
  };
  assert.equal(jwkThumbprint(rfc), 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  assert.throws(() => jwkThumbprint({ kty: 'oct', k: 'AAAA' }));
  assert.throws(() => jwkThumbprint({ kty: 'EC', crv: 'P-256', x: 'a' }));
});
