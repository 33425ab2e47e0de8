import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import * as jose from 'jose';
import { bootstrapAccess, type AccessRuntime } from '../../src/access/index.ts';
import { b64u, type JwtSigningKey, type PublishedJwtKey } from '../../src/ca/index.ts';
import { DEFAULTS } from '../../src/config/schema.ts';
import { fixedClock } from '../../src/shared/clock.ts';
import { SYSTEM } from '../../src/shared/context.ts';
import { isTesseraError } from '../../src/shared/errors.ts';
import { openTestStore } from '../helpers/test-store.ts';

const ISSUER = 'https://tessera.test';
const clock = fixedClock(Date.UTC(2030, 0, 1));
let t: Awaited<ReturnType<typeof openTestStore>>;
let rt: AccessRuntime;
let serverKey: JwtSigningKey & Pick<PublishedJwtKey, 'publicKey' | 'publicJwk'>;

function jws(header: Record<string, unknown>, claims: Record<string, unknown>, key: KeyObject = serverKey.privateKey): string {
  const input = `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(claims))}`;
  return `${input}.${b64u(sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }))}`;
}
const nowS = () => Math.floor(clock.now() / 1000);
const claims = (over: Record<string, unknown> = {}) => ({
  iss: ISSUER, sub: 'admin', aud: ISSUER, client_id: 'admin', iat: nowS(), exp: nowS() + 300, jti: 'j1', roles: ['admin'], ...over,
});
const header = (over: Record<string, unknown> = {}) => ({ alg: 'ES256', typ: 'at+jwt', kid: serverKey.kid, ...over });

async function refused(authorization: string | undefined, message: RegExp) {
  await assert.rejects(rt.authenticate(authorization), (e) => {
    assert.ok(isTesseraError(e, 'ERR_UNAUTHENTICATED'), String(e));
    assert.match(e.message, message);
    if (authorization) for (const part of authorization.replace(/^Bearer /, '').split('.')) if (part.length > 8) assert.ok(!e.message.includes(part), 'never echoes the token');
    return true;
  });
}

before(async () => {
  t = await openTestStore('sqlite', { clock });
  rt = await bootstrapAccess({ config: { ...DEFAULTS, dataDir: t.dataDir, adminTokenTtl: 300 }, store: t.store, clock, issuer: ISSUER });
  // The very key the server signs with, and its published public half.
  const signing = rt.ca.jwtSigner();
  serverKey = { ...signing, ...rt.ca.jwtKeys().find((k) => k.kid === signing.kid)! };
});
after(async () => { await t.cleanup(); });

describe('access tokens', () => {
  test('a token from issueToken authenticates as its principal with its roles', async () => {
    const { accessToken, expiresIn } = await rt.issueToken({ id: 'admin', roles: ['admin'] });
    assert.equal(expiresIn, 300);
    assert.deepEqual(await rt.authenticate(`Bearer ${accessToken}`), { id: 'admin', roles: ['admin'] });
    assert.deepEqual(await rt.authenticate(`bearer ${accessToken}`), { id: 'admin', roles: ['admin'] });
    // Hand-made with the server key and the same claims: accepted too (the test helper is sound).
    assert.equal((await rt.authenticate(`Bearer ${jws(header(), claims())}`)).id, 'admin');
  });

  test('jose verifies our access token against publicJwks(): RFC 9068 header and claims', async () => {
    const { accessToken } = await rt.issueToken({ id: 'admin', roles: ['admin'] });
    const jwks = jose.createLocalJWKSet(rt.publicJwks() as jose.JSONWebKeySet);
    const { payload, protectedHeader } = await jose.jwtVerify(accessToken, jwks, {
      issuer: ISSUER, audience: ISSUER, typ: 'at+jwt', algorithms: ['ES256'], currentDate: new Date(clock.now()),
    });
    assert.deepEqual(protectedHeader, { alg: 'ES256', typ: 'at+jwt', kid: serverKey.kid });
    assert.equal(payload.sub, 'admin');
    assert.equal(payload.client_id, 'admin');
    assert.deepEqual(payload.roles, ['admin']);
    assert.equal(payload.iat, nowS());
    assert.equal(payload.exp! - payload.iat!, 300);
    assert.match(String(payload.jti), /^[0-9a-f-]{36}$/);
    // The signing key and its prepared successor (published before it ever signs).
    assert.deepEqual(rt.publicJwks().keys.map((k) => k.kid), rt.ca.jwtKeys().map((k) => k.kid));
    assert.deepEqual(rt.ca.jwtKeys().map((k) => k.status).sort(), ['active', 'prepared']);
    assert.equal(rt.ca.jwtKeys().find((k) => k.status === 'active')!.kid, serverKey.kid);
    assert.ok(rt.publicJwks().keys.every((k) => k.d === undefined));
  });

  test('no token, or not a Bearer header', async () => {
    await refused(undefined, /missing access token/);
    await refused('', /missing access token/);
    await refused('Basic YWRtaW46YWRtaW4=', /Bearer/);
    await refused('Bearer', /Bearer/);
    await refused('Bearer a b', /Bearer/);
    await refused(`Bearer ${'a'.repeat(20_000)}`, /Bearer/);
  });

  test('malformed tokens', async () => {
    await refused('Bearer abc', /malformed|not an access token/);
    await refused('Bearer a.b.c', /malformed|not an access token/);
    const good = jws(header(), claims());
    await refused(`Bearer ${good}.x`, /malformed|rejected/);
    const [h, p] = good.split('.');
    await refused(`Bearer ${h}.${p}.`, /rejected/);
    await refused(`Bearer ${jws(header(), ['admin'] as unknown as Record<string, unknown>)}`, /payload/);
  });

  test('a tampered payload or signature is refused', async () => {
    const { accessToken } = await rt.issueToken({ id: 'admin', roles: ['auditor'] });
    const [h, p, s] = accessToken.split('.') as [string, string, string];
    const elevated = b64u(JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), roles: ['admin'] }));
    await refused(`Bearer ${h}.${elevated}.${s}`, /signature does not verify/);
    const sig = Buffer.from(s, 'base64url');
    sig[10]! ^= 0x01;
    await refused(`Bearer ${h}.${p}.${b64u(sig)}`, /signature does not verify/);
  });

  test('wrong typ, unknown kid, or a key this server does not hold', async () => {
    await refused(`Bearer ${jws(header({ typ: 'JWT' }), claims())}`, /typ must be at\+jwt/);
    await refused(`Bearer ${jws(header({ typ: undefined }), claims())}`, /typ must be at\+jwt/);
    await refused(`Bearer ${jws(header({ kid: 'nope' }), claims())}`, /key this server does not know/);
    await refused(`Bearer ${jws(header({ kid: undefined }), claims())}`, /key this server does not know/);
    const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    await refused(`Bearer ${jws(header(), claims(), stranger)}`, /signature does not verify/);
    assert.equal((await rt.authenticate(`Bearer ${jws(header({ typ: 'application/at+jwt' }), claims())}`)).id, 'admin');
  });

  test('alg must be the signing key\'s alg exactly: none, HS256 keyed with the public key, ES384 are refused', async () => {
    const c = b64u(JSON.stringify(claims()));
    const none = `${b64u(JSON.stringify(header({ alg: 'none' })))}.${c}.`;
    await refused(`Bearer ${none}`, /rejected/);
    const hsHeader = b64u(JSON.stringify(header({ alg: 'HS256' })));
    for (const secret of [serverKey.publicKey.export({ format: 'der', type: 'spki' }), Buffer.from(serverKey.publicKey.export({ format: 'pem', type: 'spki' }) as string),
      Buffer.from(JSON.stringify(serverKey.publicJwk))]) {
      const mac = createHmac('sha256', secret).update(`${hsHeader}.${c}`).digest();
      await refused(`Bearer ${hsHeader}.${c}.${b64u(mac)}`, /alg "HS256" is not the key's algorithm ES256/);
    }
    await refused(`Bearer ${jws(header({ alg: 'ES384' }), claims())}`, /alg "ES384"/);
    await refused(`Bearer ${jws(header({ alg: 'ES256', crit: ['b64'], b64: false }), claims())}`, /crit/);
  });

  test('claims: other issuer, other audience, expired, not yet valid, issued in the future, missing fields, bad roles', async () => {
    await refused(`Bearer ${jws(header(), claims({ iss: 'https://evil.test' }))}`, /another issuer/);
    await refused(`Bearer ${jws(header(), claims({ aud: 'https://elsewhere.test' }))}`, /aud/);
    await refused(`Bearer ${jws(header(), claims({ aud: ['https://elsewhere.test'] }))}`, /aud/);
    assert.equal((await rt.authenticate(`Bearer ${jws(header(), claims({ aud: ['x', ISSUER] }))}`)).id, 'admin');
    await refused(`Bearer ${jws(header(), claims({ exp: nowS() }))}`, /expired/);
    await refused(`Bearer ${jws(header(), claims({ exp: undefined }))}`, /no exp/);
    await refused(`Bearer ${jws(header(), claims({ exp: String(nowS() + 60) }))}`, /no exp/);
    await refused(`Bearer ${jws(header(), claims({ iat: undefined }))}`, /no iat/);
    await refused(`Bearer ${jws(header(), claims({ iat: nowS() + 61 }))}`, /future/);
    assert.equal((await rt.authenticate(`Bearer ${jws(header(), claims({ iat: nowS() + 59 }))}`)).id, 'admin', 'small clock skew is tolerated');
    await refused(`Bearer ${jws(header(), claims({ nbf: nowS() + 61 }))}`, /nbf/);
    await refused(`Bearer ${jws(header(), claims({ sub: undefined }))}`, /subject/);
    await refused(`Bearer ${jws(header(), claims({ jti: undefined }))}`, /jti/);
    await refused(`Bearer ${jws(header(), claims({ roles: ['root'] }))}`, /roles/);
    await refused(`Bearer ${jws(header(), claims({ roles: 'admin' }))}`, /roles/);
  });

  test('a token stops working when the clock passes exp', async () => {
    const { accessToken } = await rt.issueToken({ id: 'admin', roles: ['admin'] }, 120);
    assert.equal((await rt.authenticate(`Bearer ${accessToken}`)).id, 'admin');
    clock.advance(119_000);
    assert.equal((await rt.authenticate(`Bearer ${accessToken}`)).id, 'admin');
    clock.advance(1_000);
    await refused(`Bearer ${accessToken}`, /expired/);
  });

  test('an unknown or disabled principal is refused even with a well-signed token', async () => {
    await refused(`Bearer ${(await rt.issueToken({ id: 'ghost', roles: ['admin'] })).accessToken}`, /no longer exists/);
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    await t.store.write(async (tx) => t.store.principals.insert(tx, {
      id: 'ops', roles: ['auditor'], publicJwk: jwk, jwkThumbprint: 'x', description: '', createdAt: clock.now(), createdBy: 'test', disabledAt: null,
    }));
    const { accessToken } = await rt.issueToken({ id: 'ops', roles: ['auditor'] });
    assert.equal((await rt.authenticate(`Bearer ${accessToken}`)).id, 'ops');
    await t.store.write(async (tx) => { await t.store.principals.setDisabled(tx, 'ops', clock.now()); tx.audit(SYSTEM, { action: 'test', outcome: 'success' }); });
    await refused(`Bearer ${accessToken}`, /disabled/);
  });

  test('a token never grants roles its principal no longer holds, also on a cached (already verified) token', async () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    await t.store.write(async (tx) => t.store.principals.insert(tx, {
      id: 'narrow', roles: ['auditor'], publicJwk: publicKey.export({ format: 'jwk' }), jwkThumbprint: 'y', description: '', createdAt: clock.now(), createdBy: 'test', disabledAt: null,
    }));
    const token = `Bearer ${jws(header(), claims({ sub: 'narrow', client_id: 'narrow', roles: ['admin', 'auditor'] }))}`;
    assert.deepEqual((await rt.authenticate(token)).roles, ['auditor']);
    assert.deepEqual((await rt.authenticate(token)).roles, ['auditor']);
  });

  test('issueToken refuses lifetimes above 10 minutes', async () => {
    await assert.rejects(rt.issueToken({ id: 'admin', roles: ['admin'] }, 601), RangeError);
    await assert.rejects(rt.issueToken({ id: 'admin', roles: ['admin'] }, 0), RangeError);
  });
});
