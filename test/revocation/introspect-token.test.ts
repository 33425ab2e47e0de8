import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { b64u, createJwtSigner, jwkThumbprint } from '../../src/ca/index.ts';
import { introspectToken } from '../../src/revocation/index.ts';
import { createStaticKey, generateStaticKey } from '../../src/identity/static-keys/index.ts';
import { disableIdentity, enableIdentity } from '../../src/identity/index.ts';
import { STORE_KINDS } from '../helpers/test-store.ts';
import { ctx, ISSUER, signingKey, T0, useRevocationEnv } from './setup.ts';

const API = 'spiffe://tessera.local/ns/prod/sa/api';
const now = Math.floor(T0 / 1000);

for (const kind of STORE_KINDS) {
  describe(`introspectToken on ${kind}`, () => {
    const env = useRevocationEnv(kind);
    const raw = (header: Record<string, unknown>, claims: Record<string, unknown>, sig = 'c2ln') =>
      `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(claims))}.${sig}`;
    const claims = (over: Record<string, unknown> = {}) => ({ iss: ISSUER, sub: API, aud: 'orders', iat: now, exp: now + 300, jti: randomUUID(), ...over });

    test('a valid JWT-SVID is active with its claims', async () => {
      await env.identity();
      const jti = randomUUID();
      const r = await introspectToken(env.deps, env.svid({ jti, aud: ['orders', 'billing'] }));
      assert.deepEqual(r, { active: true, response: { active: true, token_type: 'jwt_svid', iss: ISSUER, sub: API, aud: ['orders', 'billing'], exp: now + 300, iat: now, jti } });
    });

    test('a token signed by a key that is published but no longer active (rotation) stays active', async () => {
      await env.identity();
      const retired = signingKey();
      env.deps.jwtKeys = () => [env.key.published, { ...retired.published, status: 'retired' }];
      const t = retired.sign(claims(), 'JWT');
      assert.equal((await introspectToken(env.deps, t)).active, true);
    });

    test('a JWT-SVID of a disabled or unregistered identity is inactive; re-enabled, active again', async () => {
      const identity = await env.identity();
      const token = env.svid();
      await disableIdentity({ store: env.store, clock: env.clock, trustDomain: 'tessera.local' }, ctx, identity.id);
      assert.deepEqual(await introspectToken(env.deps, token), { active: false, reason: 'the identity of this JWT-SVID is disabled', tokenType: 'jwt_svid' });
      await enableIdentity({ store: env.store, clock: env.clock, trustDomain: 'tessera.local' }, ctx, identity.id);
      assert.equal((await introspectToken(env.deps, token)).active, true);
      assert.deepEqual(await introspectToken(env.deps, env.svid({ sub: 'spiffe://tessera.local/ns/prod/sa/unknown' })),
        { active: false, reason: 'the identity of this JWT-SVID is not registered', tokenType: 'jwt_svid' });
    });

    test('RS256 keys (jwtAlg RS256) verify; an RS256 header cannot be used against an ES256 key', async () => {
      await env.identity();
      const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const publicJwk = publicKey.export({ format: 'jwk' });
      const kid = jwkThumbprint(publicJwk);
      env.deps.jwtKeys = () => [env.key.published, { kid, alg: 'RS256', status: 'active', publicKey, publicJwk }];
      const rs = createJwtSigner({ kid, privateKey });
      assert.equal((await introspectToken(env.deps, rs.sign(claims(), 'JWT'))).active, true);
      const forged = `${b64u(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: env.key.published.kid }))}.${rs.sign(claims(), 'JWT').split('.').slice(1).join('.')}`;
      assert.equal((await introspectToken(env.deps, forged)).active, false);
    });

    test('every invalid JWT is inactive with a reason (never an exception)', async () => {
      const { kid } = env.key.published;
      const svid = env.svid();
      const [h, p, s] = svid.split('.') as [string, string, string];
      const tamperedClaims = b64u(JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), sub: 'spiffe://tessera.local/admin' }));
      const hsInput = `${b64u(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid }))}.${b64u(JSON.stringify(claims()))}`;
      const pem = env.key.published.publicKey.export({ format: 'pem', type: 'spki' });
      const hs256 = `${hsInput}.${createHmac('sha256', pem).update(hsInput).digest('base64url')}`;
      const hsJwk = `${hsInput}.${createHmac('sha256', JSON.stringify(env.key.published.publicJwk)).update(hsInput).digest('base64url')}`;
      const other = signingKey();
      const cases: [string, string, RegExp][] = [
        ['other issuer', env.svid({ iss: 'https://evil.test' }), /another issuer/],
        ['expired', env.svid({ iat: now - 600, exp: now - 1 }), /expired/],
        ['expires this second', env.svid({ exp: now }), /expired/],
        ['alg none', `${b64u(JSON.stringify({ alg: 'none', typ: 'JWT', kid }))}.${b64u(JSON.stringify(claims()))}.`, /alg|part is empty/],
        ['alg none with a signature', raw({ alg: 'none', typ: 'JWT', kid }, claims()), /alg "none"/],
        ['HS256 keyed with our public key (PEM)', hs256, /alg "HS256"/],
        ['HS256 keyed with our public key (JWK)', hsJwk, /alg "HS256"/],
        ['unknown kid', other.sign(claims(), 'JWT'), /unknown kid/],
        ['our kid, another key', `${h}.${other.sign(claims(), 'JWT').split('.')[1]}.${other.sign(claims(), 'JWT').split('.')[2]}`, /signature/],
        ['tampered payload', `${h}.${tamperedClaims}.${s}`, /signature/],
        ['tampered signature', `${h}.${p}.${s.slice(0, -2)}${s.endsWith('AA') ? 'BB' : 'AA'}`, /signature|base64url/],
        ['no kid', raw({ alg: 'ES256', typ: 'JWT' }, claims()), /unknown kid/],
        ['wrong typ', env.key.sign(claims(), 'dpop+jwt'), /typ/],
        ['no typ', raw({ alg: 'ES256', kid }, claims()), /typ/],
        ['no aud', env.svid({ aud: undefined }), /no aud/],
        ['empty aud list', env.svid({ aud: [] }), /no aud/],
        ['iat in the future', env.svid({ iat: now + 3600, exp: now + 4000 }), /future/],
        ['nbf in the future', env.svid({ nbf: now + 3600 }), /nbf/],
        ['no jti', env.svid({ jti: undefined }), /jti/],
        ['no sub', env.svid({ sub: '' }), /sub/],
        ['two parts', svid.split('.').slice(0, 2).join('.'), /compact JWS|signature|part/],
        ['garbage', 'hello', /not a compact JWS/],
        ['header not JSON', `${b64u('nope')}.${p}.${s}`, /not JSON/],
        ['huge', `${h}.${'A'.repeat(20_000)}.${s}`, /not a compact JWS/],
        ['EdDSA header on our P-256 key', raw({ alg: 'EdDSA', typ: 'JWT', kid }, claims()), /alg "EdDSA"/],
        ['an Ed25519 key signature', (() => {
          const ed = generateKeyPairSync('ed25519').privateKey;
          const input = `${b64u(JSON.stringify({ alg: 'EdDSA', typ: 'JWT', kid }))}.${b64u(JSON.stringify(claims()))}`;
          return `${input}.${b64u(sign(null, Buffer.from(input), ed))}`;
        })(), /alg/],
      ];
      for (const [what, token, reason] of cases) {
        const r = await introspectToken(env.deps, token);
        assert.equal(r.active, false, what);
        if (!r.active) assert.match(r.reason, reason, what);
      }
    });

    test('access tokens: active while the principal exists and is enabled; scope never exceeds its roles', async () => {
      const jwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
      await env.store.write((tx) => env.store.principals.insert(tx, {
        id: 'ci-bot', roles: ['workload'], publicJwk: jwk, jwkThumbprint: 'tp', description: '', createdAt: T0, createdBy: 'test', disabledAt: null,
      }));
      const at = (sub: string) => env.key.sign({ iss: ISSUER, sub, aud: ISSUER, client_id: sub, iat: now, exp: now + 300, jti: randomUUID(), roles: ['workload', 'admin'] }, 'at+jwt');
      const r = await introspectToken(env.deps, at('ci-bot'));
      assert.equal(r.active, true);
      if (r.active) {
        assert.equal(r.response.token_type, 'access_token');
        assert.equal(r.response.client_id, 'ci-bot');
        assert.equal(r.response.scope, 'workload');
      }
      assert.deepEqual(await introspectToken(env.deps, at('ghost')), { active: false, reason: 'the principal of this access token no longer exists', tokenType: 'access_token' });
      await env.store.write((tx) => env.store.principals.setDisabled(tx, 'ci-bot', T0));
      assert.equal((await introspectToken(env.deps, at('ci-bot'))).active, false);
    });

    test('static keys: active with sub, client_id and exp; unusable ones inactive', async () => {
      const identity = await env.identity();
      const sdeps = { store: env.store, clock: env.clock, trustDomain: 'tessera.local' };
      const k = await createStaticKey(sdeps, ctx, identity.id, { expires: '1d' });
      assert.deepEqual(await introspectToken(env.deps, k.key), {
        active: true,
        response: { active: true, token_type: 'static_key', iss: ISSUER, sub: API, client_id: k.record.id, exp: now + 86_400, iat: now },
      });
      const unknown = await introspectToken(env.deps, generateStaticKey());
      assert.deepEqual(unknown, { active: false, reason: 'unknown static key', tokenType: 'static_key' });
      const typo = `${k.key.slice(0, 10)}${k.key[10] === 'x' ? 'y' : 'x'}${k.key.slice(11)}`;
      assert.match((await introspectToken(env.deps, typo) as { reason: string }).reason, /checksum/);

      env.clock.advance(86_400_000);
      assert.deepEqual(await introspectToken(env.deps, k.key), { active: false, reason: 'static key is expired', tokenType: 'static_key' });
      env.clock.advance(-86_400_000);
      await env.store.write((tx) => env.store.identities.update(tx, { ...identity, disabledAt: T0, disabledBy: 'alice' }));
      assert.match((await introspectToken(env.deps, k.key) as { reason: string }).reason, /disabled/);
      await env.store.write((tx) => env.store.identities.delete(tx, identity.id));
      assert.match((await introspectToken(env.deps, k.key) as { reason: string }).reason, /no longer exists/);
    });
  });
}
