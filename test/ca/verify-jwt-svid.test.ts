// The JWT-SVID verification path the SDK uses: every claim check, each able to fail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { createJwtSigner, verifyJwtSvid, type JwtSvidVerifyOptions } from '../../src/ca/index.ts';

const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const es = createJwtSigner({ kid: 'ec-1', privateKey: ec.privateKey });
const rs = createJwtSigner({ kid: 'rsa-1', privateKey: rsa.privateKey });
const KEYS: Record<string, { alg: 'ES256' | 'RS256'; key: typeof ec.publicKey }> = { 'ec-1': { alg: 'ES256', key: ec.publicKey }, 'rsa-1': { alg: 'RS256', key: rsa.publicKey } };
const NOW = Date.UTC(2030, 0, 1);
const iat = NOW / 1000;
const claims = (over: Record<string, unknown> = {}) => ({ iss: 'https://tessera.test', sub: 'spiffe://tessera.local/ns/prod/sa/api', aud: 'orders', iat, exp: iat + 300, jti: 'j1', ...over });
const opts = (over: Partial<JwtSvidVerifyOptions> = {}): JwtSvidVerifyOptions => ({
  key: (kid) => KEYS[kid], audience: 'orders', now: NOW, issuer: 'https://tessera.test', trustDomain: 'tessera.local', ...over,
});
const reason = (token: string, o = opts()) => { const r = verifyJwtSvid(token, o); return r.ok ? 'ok' : r.reason; };

test('valid ES256 and RS256 JWT-SVIDs verify and give the SPIFFE ID, audience, expiry and jti', () => {
  for (const signer of [es, rs]) {
    const r = verifyJwtSvid(signer.sign(claims({ aud: ['billing', 'orders'] }), 'JWT'), opts());
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal(r.svid.spiffeId, 'spiffe://tessera.local/ns/prod/sa/api');
    assert.deepEqual(r.svid.audience, ['billing', 'orders']);
    assert.equal(r.svid.exp, iat + 300);
    assert.equal(r.svid.jti, 'j1');
    assert.equal(r.svid.kid, signer.kid);
  }
  assert.equal(reason(es.sign(claims(), 'JOSE')), 'ok', 'typ JOSE is allowed');
  assert.equal(reason(es.sign(claims(), 'JWT'), opts({ audience: ['x', 'orders'] })), 'ok');
  assert.equal(reason(es.sign(claims(), 'JWT'), opts({ issuer: undefined, trustDomain: undefined })), 'ok');
});

test('each claim check refuses what it should', () => {
  const cases: [string, string, RegExp][] = [
    ['expired', es.sign(claims({ exp: iat }), 'JWT'), /expired/],
    ['no exp', es.sign(claims({ exp: undefined }), 'JWT'), /no exp/],
    ['exp as text', es.sign(claims({ exp: String(iat + 300) }), 'JWT'), /no exp/],
    ['future iat', es.sign(claims({ iat: iat + 61 }), 'JWT'), /iat/],
    ['future nbf', es.sign(claims({ nbf: iat + 61 }), 'JWT'), /nbf/],
    ['other audience', es.sign(claims({ aud: 'billing' }), 'JWT'), /audience/],
    ['empty aud list', es.sign(claims({ aud: [] }), 'JWT'), /no aud/],
    ['no aud', es.sign(claims({ aud: undefined }), 'JWT'), /no aud/],
    ['sub not a SPIFFE ID', es.sign(claims({ sub: 'https://evil/x' }), 'JWT'), /SPIFFE ID/],
    ['sub in another trust domain', es.sign(claims({ sub: 'spiffe://evil.org/x' }), 'JWT'), /trust domain/],
    ['other issuer', es.sign(claims({ iss: 'https://evil' }), 'JWT'), /issuer/],
    ['jti not a string', es.sign(claims({ jti: 7 }), 'JWT'), /jti/],
    ['access token typ', es.sign(claims(), 'at+jwt'), /typ/],
    ['unknown kid', createJwtSigner({ kid: 'other', privateKey: ec.privateKey }).sign(claims(), 'JWT'), /unknown kid/],
    ['kid of another key', createJwtSigner({ kid: 'ec-1', privateKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey }).sign(claims(), 'JWT'), /signature/],
    ['RS256 token under the EC kid', createJwtSigner({ kid: 'ec-1', privateKey: rsa.privateKey }).sign(claims(), 'JWT'), /alg "RS256"/],
    ['garbage', 'a.b', /three/],
  ];
  for (const [what, token, why] of cases) assert.match(reason(token), why, what);
  // Without the optional checks, a foreign trust domain or issuer is not this verifier's concern.
  assert.equal(reason(es.sign(claims({ sub: 'spiffe://other.org/x', iss: 'x' }), 'JWT'), opts({ issuer: undefined, trustDomain: undefined })), 'ok');
});
