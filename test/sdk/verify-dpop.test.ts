import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as dpop from 'dpop';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { createDpopVerifier, dpopChallenge } from '../../src/sdk/verify-dpop.ts';
import { TesseraError } from '../../src/shared/errors.ts';

const URL_ = 'https://orders.example/v1/orders';

async function code(p: Promise<unknown>): Promise<string> {
  try { await p; } catch (e) { assert.ok(e instanceof TesseraError, String(e)); return e.code; }
  return 'resolved';
}

describe('sdk verify-dpop: a resource server checking Tessera-issued DPoP-bound tokens', () => {
  let t: TestServer;
  let verifier: ReturnType<typeof createDpopVerifier>;
  let keys: dpop.KeyPair;
  let bound: string;
  let plain: string;
  before(async () => {
    t = await startTestServer();
    await t.tokenFor(['workload'], 'svc');
    const jwks = createLocalJWKSet(t.services.access.publicJwks() as Parameters<typeof createLocalJWKSet>[0]);
    verifier = createDpopVerifier({ verifyToken: async (tok) => (await jwtVerify(tok, jwks, { issuer: t.services.issuer, typ: 'at+jwt' })).payload as Record<string, unknown> });
    keys = await dpop.generateKeyPair('ES256');
    bound = (await t.services.access.issueToken({ id: 'svc', roles: ['workload'] }, 300, { jkt: await dpop.calculateThumbprint(keys.publicKey) })).accessToken;
    plain = (await t.services.access.issueToken({ id: 'svc', roles: ['workload'] }, 300)).accessToken;
  });
  after(async () => { await t?.close(); });

  test('a bound token with a valid proof (ath included) is accepted and its jkt returned', async () => {
    const proof = await dpop.generateProof(keys, URL_, 'GET', undefined, bound);
    const r = await verifier.verify({ authorization: `DPoP ${bound}`, dpop: proof, method: 'GET', url: `${URL_}?page=2` });
    assert.equal(r.jkt, await dpop.calculateThumbprint(keys.publicKey));
    assert.equal(r.claims.sub, 'svc');
  });

  test('a bound token presented as Bearer is refused, even with a valid proof', async () => {
    const proof = await dpop.generateProof(keys, URL_, 'GET', undefined, bound);
    assert.equal(await code(verifier.verify({ authorization: `Bearer ${bound}`, dpop: proof, method: 'GET', url: URL_ })), 'ERR_UNAUTHENTICATED');
  });

  test('the proof must carry ath of this token, be signed by the bound key, and not be replayed', async () => {
    const noAth = await dpop.generateProof(keys, URL_, 'GET');
    assert.equal(await code(verifier.verify({ authorization: `DPoP ${bound}`, dpop: noAth, method: 'GET', url: URL_ })), 'ERR_INVALID_DPOP_PROOF');
    const otherAth = await dpop.generateProof(keys, URL_, 'GET', undefined, plain);
    assert.equal(await code(verifier.verify({ authorization: `DPoP ${bound}`, dpop: otherAth, method: 'GET', url: URL_ })), 'ERR_INVALID_DPOP_PROOF');
    const otherKey = await dpop.generateProof(await dpop.generateKeyPair('ES256'), URL_, 'GET', undefined, bound);
    assert.equal(await code(verifier.verify({ authorization: `DPoP ${bound}`, dpop: otherKey, method: 'GET', url: URL_ })), 'ERR_INVALID_DPOP_PROOF');
    assert.equal(await code(verifier.verify({ authorization: `DPoP ${bound}`, dpop: undefined, method: 'GET', url: URL_ })), 'ERR_INVALID_DPOP_PROOF');
    const once = await dpop.generateProof(keys, URL_, 'GET', undefined, bound);
    await verifier.verify({ authorization: `DPoP ${bound}`, dpop: once, method: 'GET', url: URL_ });
    assert.equal(await code(verifier.verify({ authorization: `DPoP ${bound}`, dpop: once, method: 'GET', url: URL_ })), 'ERR_INVALID_DPOP_PROOF');
  });

  test('htu and htm are checked against the request', async () => {
    const proof = await dpop.generateProof(keys, 'https://orders.example/v1/refunds', 'GET', undefined, bound);
    assert.equal(await code(verifier.verify({ authorization: `DPoP ${bound}`, dpop: proof, method: 'GET', url: URL_ })), 'ERR_INVALID_DPOP_PROOF');
    const post = await dpop.generateProof(keys, URL_, 'POST', undefined, bound);
    assert.equal(await code(verifier.verify({ authorization: `DPoP ${bound}`, dpop: post, method: 'GET', url: URL_ })), 'ERR_INVALID_DPOP_PROOF');
  });

  test('unbound tokens: fine as Bearer, refused with the DPoP scheme or when the service demands DPoP', async () => {
    assert.equal((await verifier.verify({ authorization: `Bearer ${plain}`, dpop: undefined, method: 'GET', url: URL_ })).jkt, undefined);
    assert.equal(await code(verifier.verify({ authorization: `DPoP ${plain}`, dpop: undefined, method: 'GET', url: URL_ })), 'ERR_UNAUTHENTICATED');
    const strict = createDpopVerifier({ requireDpop: true, verifyToken: async () => ({ sub: 'x' }) });
    assert.equal(await code(strict.verify({ authorization: `Bearer ${plain}`, dpop: undefined, method: 'GET', url: URL_ })), 'ERR_UNAUTHENTICATED');
  });

  test('a token the caller\'s verifier rejects is refused; a missing header too', async () => {
    assert.equal(await code(verifier.verify({ authorization: `DPoP ${bound.slice(0, -4)}AAAA`, dpop: undefined, method: 'GET', url: URL_ })), 'ERR_UNAUTHENTICATED');
    assert.equal(await code(verifier.verify({ authorization: undefined, dpop: undefined, method: 'GET', url: URL_ })), 'ERR_UNAUTHENTICATED');
  });

  test('nonces at the resource server: use_dpop_nonce, then the retry passes; challenges name the error', async () => {
    const v = createDpopVerifier({ requireNonce: true, verifyToken: async () => ({ cnf: { jkt: await dpop.calculateThumbprint(keys.publicKey) } }) });
    let nonce: string | undefined;
    try {
      await v.verify({ authorization: `DPoP ${bound}`, dpop: await dpop.generateProof(keys, URL_, 'GET', undefined, bound), method: 'GET', url: URL_ });
      assert.fail('a proof without nonce passed');
    } catch (e) {
      assert.ok(e instanceof TesseraError && e.code === 'ERR_USE_DPOP_NONCE');
      assert.match(dpopChallenge(e), /^DPoP error="use_dpop_nonce"/);
      nonce = e.details?.dpopNonce as string;
    }
    const r = await v.verify({ authorization: `DPoP ${bound}`, dpop: await dpop.generateProof(keys, URL_, 'GET', nonce, bound), method: 'GET', url: URL_ });
    assert.ok(r.jkt);
  });
});
