import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import * as dpop from 'dpop';
import { calculateJwkThumbprint, exportJWK } from 'jose';
import { fixedClock } from '../../../src/shared/clock.ts';
import { TesseraError } from '../../../src/shared/errors.ts';
import { accessTokenHash } from '../../../src/broker/dpop/index.ts';
import { HTU, handProof, runtime } from './proof-fixtures.ts';

async function rejects(p: Promise<unknown>, code: string, rule?: string): Promise<TesseraError> {
  let caught: unknown;
  try { await p; } catch (e) { caught = e; }
  assert.ok(caught instanceof TesseraError, `expected a TesseraError, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  if (rule !== undefined) assert.equal(caught.details?.rule, rule, caught.message);
  return caught;
}

describe('verifyDpopProof with proofs from the dpop package', () => {
  for (const alg of ['ES256', 'Ed25519', 'RS256', 'PS256'] as const) {
    test(`a valid ${alg} proof is accepted and its RFC 7638 thumbprint returned`, async () => {
      const keys = await dpop.generateKeyPair(alg);
      const proof = await dpop.generateProof(keys, HTU, 'POST');
      const r = await runtime().verify({ proof, htm: 'POST', htu: HTU });
      assert.equal(r?.jkt, await dpop.calculateThumbprint(keys.publicKey));
      assert.equal(r?.jkt, await calculateJwkThumbprint(await exportJWK(keys.publicKey)));
    });
  }

  test('no DPoP header: undefined, nothing recorded', async () => {
    const rt = runtime();
    assert.equal(await rt.verify({ proof: undefined, htm: 'POST', htu: HTU }), undefined);
    assert.equal(rt.replay.size, 0);
  });

  test('a replayed jti is refused; the same jti under another key is a different proof', async () => {
    const rt = runtime();
    const keys = await dpop.generateKeyPair('ES256');
    const proof = await dpop.generateProof(keys, HTU, 'POST');
    await rt.verify({ proof, htm: 'POST', htu: HTU });
    await rejects(rt.verify({ proof, htm: 'POST', htu: HTU }), 'ERR_INVALID_DPOP_PROOF', 'replay');
    const jti = JSON.parse(Buffer.from(proof.split('.')[1]!, 'base64url').toString()).jti as string;
    assert.ok(await rt.verify({ proof: handProof({ claims: { jti } }), htm: 'POST', htu: HTU }));
  });

  test('a refused proof does not use up its jti', async () => {
    const rt = runtime();
    const keys = await dpop.generateKeyPair('ES256');
    const proof = await dpop.generateProof(keys, HTU, 'POST');
    await rejects(rt.verify({ proof, htm: 'GET', htu: HTU }), 'ERR_INVALID_DPOP_PROOF', 'htm');
    assert.equal(rt.replay.size, 0);
    assert.ok(await rt.verify({ proof, htm: 'POST', htu: HTU }));
  });

  test('htu must be the request URI: another path, host or scheme is refused', async () => {
    const keys = await dpop.generateKeyPair('ES256');
    for (const htu of ['https://tessera.example/oauth2/introspect', 'https://evil.example/oauth2/token', 'http://tessera.example/oauth2/token', 'https://tessera.example:8443/oauth2/token']) {
      const proof = await dpop.generateProof(keys, htu, 'POST');
      await rejects(runtime().verify({ proof, htm: 'POST', htu: HTU }), 'ERR_INVALID_DPOP_PROOF', 'htu');
    }
  });

  test('htu is compared after normalisation; query and fragment are ignored', async () => {
    const keys = await dpop.generateKeyPair('ES256');
    for (const htu of ['HTTPS://Tessera.Example:443/oauth2/token', 'https://tessera.example/oauth2/%74oken', 'https://tessera.example/oauth2/token?x=1#f']) {
      const proof = await dpop.generateProof(keys, htu, 'POST');
      assert.ok(await runtime().verify({ proof, htm: 'POST', htu: `${HTU}?grant=1` }), htu);
    }
  });

  test('htm must be the request method, case-sensitively', async () => {
    const keys = await dpop.generateKeyPair('ES256');
    await rejects(runtime().verify({ proof: await dpop.generateProof(keys, HTU, 'GET'), htm: 'POST', htu: HTU }), 'ERR_INVALID_DPOP_PROOF', 'htm');
    await rejects(runtime().verify({ proof: await dpop.generateProof(keys, HTU, 'post'), htm: 'POST', htu: HTU }), 'ERR_INVALID_DPOP_PROOF', 'htm');
  });

  test('iat too old or in the future is refused; within the window it passes', async () => {
    const keys = await dpop.generateKeyPair('ES256');
    const clock = fixedClock(Date.now());
    const rt = runtime(clock);
    clock.advance(301_000); // the proof is now older than 5 minutes
    await rejects(rt.verify({ proof: await dpop.generateProof(keys, HTU, 'POST'), htm: 'POST', htu: HTU }), 'ERR_INVALID_DPOP_PROOF', 'iat');
    clock.advance(-301_000 - 61_000); // the proof is now 61 s in the future
    await rejects(rt.verify({ proof: await dpop.generateProof(keys, HTU, 'POST'), htm: 'POST', htu: HTU }), 'ERR_INVALID_DPOP_PROOF', 'iat');
    clock.advance(61_000 + 240_000); // 4 minutes old: accepted
    assert.ok(await rt.verify({ proof: await dpop.generateProof(keys, HTU, 'POST'), htm: 'POST', htu: HTU }));
  });

  test('ath: required with an access token, and must hash that token', async () => {
    const keys = await dpop.generateKeyPair('ES256');
    const rt = runtime();
    await rejects(rt.verify({ proof: await dpop.generateProof(keys, HTU, 'GET'), htm: 'GET', htu: HTU, accessToken: 'tok' }), 'ERR_INVALID_DPOP_PROOF', 'ath');
    await rejects(rt.verify({ proof: await dpop.generateProof(keys, HTU, 'GET', undefined, 'other'), htm: 'GET', htu: HTU, accessToken: 'tok' }), 'ERR_INVALID_DPOP_PROOF', 'ath');
    assert.ok(await rt.verify({ proof: await dpop.generateProof(keys, HTU, 'GET', undefined, 'tok'), htm: 'GET', htu: HTU, accessToken: 'tok' }));
    // RFC 9449 §7.1 example.
    assert.equal(accessTokenHash('Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU'), 'fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo');
  });
});

describe('verifyDpopProof refuses hostile proofs', () => {
  const check = (name: string, proof: () => string, rule: string) => test(name, async () => {
    const rt = runtime();
    await rejects(rt.verify({ proof: proof(), htm: 'POST', htu: HTU }), 'ERR_INVALID_DPOP_PROOF', rule);
    assert.equal(rt.replay.size, 0);
  });

  test('the hand-built fixture itself is a valid proof (so the cases below fail for their own reason)', async () => {
    assert.ok(await runtime().verify({ proof: handProof(), htm: 'POST', htu: HTU }));
  });
  check('alg none', () => handProof({ header: { alg: 'none' }, signature: '' }).replace(/\.$/, '.AA'), 'key');
  check('alg none with an empty signature', () => handProof({ header: { alg: 'none' }, signature: '' }), 'compact JWS');
  check('HS256 keyed with the public key', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    return handProof({ header: { alg: 'HS256', jwk }, hmacSecret: Buffer.from(JSON.stringify(jwk)) });
  }, 'key');
  check('a private key in the jwk header', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    return handProof({ header: { jwk: privateKey.export({ format: 'jwk' }) }, key: privateKey });
  }, 'key');
  check('a symmetric jwk', () => handProof({ header: { jwk: { kty: 'oct', k: 'c2VjcmV0' } } }), 'key');
  check('a signature by another key', () => handProof({ key: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey }), 'signature');
  check('alg that does not fit the key type', () => handProof({ header: { alg: 'RS256' } }), 'key');
  check('typ other than dpop+jwt', () => handProof({ header: { typ: 'JWT' } }), 'typ');
  check('no typ', () => handProof({ header: { typ: undefined } }), 'typ');
  check('a crit header', () => handProof({ header: { crit: ['exp'] } }), 'crit');
  check('no jwk', () => handProof({ header: { jwk: undefined } }), 'key');
  check('no jti', () => handProof({ claims: { jti: undefined } }), 'jti');
  check('a jti longer than 256 characters', () => handProof({ claims: { jti: 'x'.repeat(257) } }), 'jti');
  check('iat as a string', () => handProof({ claims: { iat: String(Math.floor(Date.now() / 1000)) } }), 'iat');
  check('not a JWS', () => 'not-a-proof', 'compact JWS');
  check('an oversized proof', () => handProof({ claims: { pad: 'x'.repeat(9000) } }), 'size');

  test('two DPoP headers are refused', async () => {
    await rejects(runtime().verify({ proof: [handProof(), handProof()], htm: 'POST', htu: HTU }), 'ERR_INVALID_DPOP_PROOF', 'single header');
  });
});

describe('DPoP nonces', () => {
  test('required nonce: missing → use_dpop_nonce with a fresh nonce; a retry with it passes', async () => {
    const rt = runtime(undefined, { requireNonce: true });
    const keys = await dpop.generateKeyPair('ES256');
    const e = await rejects(rt.verify({ proof: await dpop.generateProof(keys, HTU, 'POST'), htm: 'POST', htu: HTU }), 'ERR_USE_DPOP_NONCE');
    const nonce = e.details?.dpopNonce;
    assert.equal(typeof nonce, 'string');
    assert.ok(await rt.verify({ proof: await dpop.generateProof(keys, HTU, 'POST', nonce as string), htm: 'POST', htu: HTU }));
  });

  test('a forged or stale nonce is refused with a fresh one', async () => {
    const clock = fixedClock(Date.now());
    const rt = runtime(clock, { requireNonce: true, nonceWindowSeconds: 60 });
    const keys = await dpop.generateKeyPair('ES256');
    const old = rt.nonces.current();
    await rejects(rt.verify({ proof: await dpop.generateProof(keys, HTU, 'POST', `${old.split('.')[0]}.${'A'.repeat(24)}`), htm: 'POST', htu: HTU }), 'ERR_USE_DPOP_NONCE');
    await rejects(rt.verify({ proof: await dpop.generateProof(keys, HTU, 'POST', runtime(clock).nonces.current()), htm: 'POST', htu: HTU }), 'ERR_USE_DPOP_NONCE');
    clock.advance(150_000); // two windows later
    const e = await rejects(rt.verify({ proof: await dpop.generateProof(keys, HTU, 'POST', old), htm: 'POST', htu: HTU }), 'ERR_USE_DPOP_NONCE');
    assert.notEqual(e.details?.dpopNonce, old);
  });

  test('nonces are optional by default, and can be demanded per call', async () => {
    const rt = runtime();
    const keys = await dpop.generateKeyPair('ES256');
    assert.ok(await rt.verify({ proof: await dpop.generateProof(keys, HTU, 'POST'), htm: 'POST', htu: HTU }));
    await rejects(rt.verify({ proof: await dpop.generateProof(keys, HTU, 'POST'), htm: 'POST', htu: HTU, requireNonce: true }), 'ERR_USE_DPOP_NONCE');
  });
});

describe('replay cache bounds', () => {
  test('when full of live entries new proofs are refused; expired entries make room', async () => {
    const clock = fixedClock(Date.now());
    const rt = runtime(clock, { replayCacheMax: 2 });
    assert.ok(await rt.verify({ proof: handProof(), htm: 'POST', htu: HTU }));
    assert.ok(await rt.verify({ proof: handProof(), htm: 'POST', htu: HTU }));
    await rejects(rt.verify({ proof: handProof(), htm: 'POST', htu: HTU }), 'ERR_INVALID_DPOP_PROOF', 'replay cache capacity');
    clock.advance(400_000);
    const fresh = handProof({ claims: { iat: Math.floor(clock.now() / 1000) } });
    assert.ok(await rt.verify({ proof: fresh, htm: 'POST', htu: HTU }));
    assert.equal(rt.replay.size, 1);
  });
});
