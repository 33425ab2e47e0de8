// Algorithm confusion against an RS256 server: its public key as an HMAC secret, alg "none", a
// signature of another algorithm under its kid — every one refused, by the access-token verifier,
// by the JWT-SVID (SDK) verifier and by the raw signature check.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync, sign } from 'node:crypto';
import { bootstrapAccess, type AccessRuntime } from '../../src/access/index.ts';
import {
  b64u, signerFor, verifierKeyFromJwk, verifyJwtSvid, verifySignature, type StartedCa,
} from '../../src/ca/index.ts';
import { DEFAULTS } from '../../src/config/schema.ts';
import { fixedClock } from '../../src/shared/clock.ts';
import { isTesseraError } from '../../src/shared/errors.ts';
import { openTestStore } from '../helpers/test-store.ts';
import { T0, startTestCa } from './ca-fixtures.ts';

const ISSUER = 'https://tessera.test';
const clock = fixedClock(T0);
const now = Math.floor(T0 / 1000);
const enc = (v: unknown) => b64u(JSON.stringify(v));

describe('key confusion on an RS256 server', () => {
  let t: Awaited<ReturnType<typeof openTestStore>>;
  let ca: StartedCa;
  let access: AccessRuntime;
  before(async () => {
    t = await openTestStore('sqlite', { clock });
    ca = await startTestCa(t.store, clock, { config: { jwtAlg: 'RS256' } });
    access = await bootstrapAccess({ config: { ...DEFAULTS, dataDir: t.dataDir, jwtAlg: 'RS256' }, store: t.store, clock, issuer: ISSUER, ca });
  });
  after(async () => { ca.close(); await t.cleanup(); });

  const published = () => ca.jwtKeys().find((k) => k.kid === ca.jwtSigner().kid)!;
  /** Every spelling of the server's public key someone might try as an HMAC secret. */
  const secrets = () => {
    const pub = published().publicKey;
    return [pub.export({ format: 'pem', type: 'spki' }) as string, pub.export({ format: 'pem', type: 'pkcs1' }) as string,
      pub.export({ format: 'der', type: 'spki' }), JSON.stringify(published().publicJwk)];
  };
  const hs256 = (header: Record<string, unknown>, claims: Record<string, unknown>, secret: string | Buffer) => {
    const input = `${enc(header)}.${enc(claims)}`;
    return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
  };
  const atClaims = { iss: ISSUER, sub: 'admin', aud: ISSUER, client_id: 'admin', iat: now, exp: now + 300, jti: 'j', roles: ['admin'] };
  const svidClaims = { iss: ISSUER, sub: 'spiffe://tessera.local/ns/prod/sa/api', aud: 'orders', iat: now, exp: now + 300, jti: 'j' };
  const svidKey = (kid: string) => { const k = ca.jwtKeys().find((p) => p.kid === kid); return k && { alg: k.alg, key: k.publicKey }; };
  const svidOk = (token: string) => verifyJwtSvid(token, { key: svidKey, audience: 'orders', now: clock.now(), issuer: ISSUER });

  test('sanity: genuine RS256 tokens are accepted by both verifiers', async () => {
    const { accessToken } = await access.issueToken({ id: 'admin', roles: ['admin'] });
    assert.equal((await access.authenticate(`Bearer ${accessToken}`)).id, 'admin');
    const svid = signerFor(ca.jwtSigner()).sign(svidClaims, 'JWT');
    assert.ok(svidOk(svid).ok);
  });

  test('HS256 with the server\'s public key as the secret is refused', async () => {
    const kid = ca.jwtSigner().kid;
    for (const secret of secrets()) {
      const at = hs256({ alg: 'HS256', typ: 'at+jwt', kid }, atClaims, secret);
      await assert.rejects(access.authenticate(`Bearer ${at}`), (e) => isTesseraError(e, 'ERR_UNAUTHENTICATED') && /alg "HS256"/.test(e.message));
      const r = svidOk(hs256({ alg: 'HS256', typ: 'JWT', kid }, svidClaims, secret));
      assert.ok(!r.ok && /alg "HS256"/.test(r.reason));
    }
  });

  test('alg "none" (any spelling) and a missing alg are refused', async () => {
    const kid = ca.jwtSigner().kid;
    for (const alg of ['none', 'None', 'NONE', undefined]) {
      for (const sig of ['', 'AA']) {
        const at = `${enc({ alg, typ: 'at+jwt', kid })}.${enc(atClaims)}.${sig}`;
        await assert.rejects(access.authenticate(`Bearer ${at}`), (e) => isTesseraError(e, 'ERR_UNAUTHENTICATED'));
        assert.ok(!svidOk(`${enc({ alg, typ: 'JWT', kid })}.${enc(svidClaims)}.${sig}`).ok);
      }
    }
  });

  test('an ES256 or PS256 signature under the RS256 kid is refused', async () => {
    const kid = ca.jwtSigner().kid;
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const input = `${enc({ alg: 'ES256', typ: 'JWT', kid })}.${enc(svidClaims)}`;
    const es = `${input}.${b64u(sign('sha256', Buffer.from(input), { key: ec, dsaEncoding: 'ieee-p1363' }))}`;
    assert.ok(!svidOk(es).ok);
    // PS256 with the server's own private key (a different padding, same key): not RS256.
    const psInput = `${enc({ alg: 'PS256', typ: 'JWT', kid })}.${enc(svidClaims)}`;
    const ps = `${psInput}.${b64u(sign('sha256', Buffer.from(psInput), { key: ca.jwtSigner().privateKey, padding: 6 /* RSA_PKCS1_PSS_PADDING */ }))}`;
    const r = svidOk(ps);
    assert.ok(!r.ok && /PS256/.test(r.reason));
    // The same PSS signature relabelled RS256 does not verify either.
    const relabelled = `${enc({ alg: 'RS256', typ: 'JWT', kid })}.${enc(svidClaims)}.${ps.split('.')[2]}`;
    assert.ok(!svidOk(relabelled).ok);
  });

  test('an access token is not a JWT-SVID (typ at+jwt refused by the SVID verifier)', async () => {
    const { accessToken } = await access.issueToken({ id: 'admin', roles: ['admin'] });
    const r = verifyJwtSvid(accessToken, { key: svidKey, audience: ISSUER, now: clock.now() });
    assert.ok(!r.ok && /typ/.test(r.reason));
  });
});

test('verifySignature pins each algorithm to its key type and size', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const small = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  const ed = generateKeyPairSync('ed25519');
  const data = Buffer.from('signing input');
  const rsSig = sign('sha256', data, rsa.privateKey);
  assert.equal(verifySignature('RS256', rsa.publicKey, data, rsSig), true);
  assert.equal(verifySignature('RS256', rsa.publicKey, Buffer.from('other'), rsSig), false);
  assert.equal(verifySignature('RS256', rsa.publicKey, data, Buffer.concat([Buffer.alloc(1), rsSig])), false, 'length must be the modulus length');
  assert.equal(verifySignature('RS256', rsa.publicKey, data, rsSig.subarray(1)), false);
  assert.equal(verifySignature('RS256', small.publicKey, data, sign('sha256', data, small.privateKey)), false, 'RSA below 2048 bits');
  assert.equal(verifySignature('RS256', rsa.privateKey, data, rsSig), false, 'a private key object is not a verifier key');
  const esSig = sign('sha256', data, { key: ec.privateKey, dsaEncoding: 'ieee-p1363' });
  assert.equal(verifySignature('ES256', ec.publicKey, data, esSig), true);
  assert.equal(verifySignature('RS256', ec.publicKey, data, esSig), false, 'RS256 with an EC key');
  assert.equal(verifySignature('ES256', rsa.publicKey, data, rsSig.subarray(0, 64)), false, 'ES256 with an RSA key');
  assert.equal(verifySignature('ES256', p384.publicKey, data, sign('sha256', data, { key: p384.privateKey, dsaEncoding: 'ieee-p1363' }).subarray(0, 64)), false, 'ES256 with P-384');
  assert.equal(verifySignature('EdDSA', ed.publicKey, data, sign(null, data, ed.privateKey)), true);
  assert.equal(verifySignature('EdDSA', ec.publicKey, data, esSig), false);
});

test('verifierKeyFromJwk accepts RSA only when asked, and only 2048+ bits with e = 65537', () => {
  const jwk = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' });
  assert.throws(() => verifierKeyFromJwk(jwk), (e) => isTesseraError(e, 'ERR_INVALID_INPUT') && e.details?.field === 'publicJwk.kty');
  const k = verifierKeyFromJwk(jwk, 'jwk', { allowRsa: true });
  assert.equal(k.alg, 'RS256');
  assert.deepEqual(k.jwk, { kty: 'RSA', n: jwk.n, e: 'AQAB' });
  const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' });
  assert.throws(() => verifierKeyFromJwk(small, 'jwk', { allowRsa: true }), (e) => isTesseraError(e) && e.details?.field === 'jwk.n');
  assert.throws(() => verifierKeyFromJwk({ ...jwk, e: 'Aw' }, 'jwk', { allowRsa: true }), (e) => isTesseraError(e) && e.details?.field === 'jwk.e');
  const padded = b64u(Buffer.concat([Buffer.alloc(1), Buffer.from(jwk.n!, 'base64url')]));
  assert.throws(() => verifierKeyFromJwk({ ...jwk, n: padded }, 'jwk', { allowRsa: true }), (e) => isTesseraError(e) && e.details?.field === 'jwk.n');
  assert.throws(() => verifierKeyFromJwk({ ...jwk, alg: 'PS256' }, 'jwk', { allowRsa: true }), (e) => isTesseraError(e) && e.details?.field === 'jwk.alg');
  const priv = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  assert.throws(() => verifierKeyFromJwk(priv, 'jwk', { allowRsa: true }), (e) => isTesseraError(e) && e.details?.field === 'jwk.d');
});
