// The verifier's refusals, each with its reason, against a real issuer on loopback.
import { describe, test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync, sign as cryptoSign, randomBytes } from 'node:crypto';
import { startOidcIssuer, type OidcIssuer } from '../../helpers/oidc-issuer.ts';
import { verifyExternalToken, type TrustRuntime } from '../../../src/broker/trust/index.ts';
import { TesseraError } from '../../../src/shared/errors.ts';
import { useTrustEnv } from './setup.ts';

const now = () => Math.floor(Date.now() / 1000);
const b64u = (v: string | Buffer) => Buffer.from(v).toString('base64url');

/** Asserts an ERR_INVALID_GRANT refusal with this reason word and a message matching re. */
async function refused(p: Promise<unknown>, reason: string, re?: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof TesseraError, String(e));
    assert.equal(e.code, 'ERR_INVALID_GRANT');
    assert.equal(e.details?.reason, reason, e.message);
    if (re) assert.match(e.message, re);
    return true;
  });
}

describe('verifyExternalToken', () => {
  const env = useTrustEnv('sqlite', { alg: 'ES256' });
  const extra: OidcIssuer[] = [];
  let trust: TrustRuntime;
  before(async () => {
    await env.addSource({ name: 'main', kind: 'oidc', issuer: env.issuer.issuer, algorithms: ['ES256', 'RS256'], audiences: ['tessera', 'other'], environment: 'prod', maxTokenAge: '10m' });
    trust = env.trust;
  });
  after(async () => { for (const i of extra) await i.close(); });
  const issuer = async (o: Parameters<typeof startOidcIssuer>[0] = {}) => { const i = await startOidcIssuer(o); extra.push(i); return i; };

  test('a valid token verifies; aud may be a list containing an expected audience', async () => {
    const v = await verifyExternalToken(trust, env.issuer.token({ aud: ['x', 'other'] }));
    assert.equal(v.source.name, 'main');
    assert.equal(v.header.kid, env.issuer.kid);
  });

  test('a token without kid verifies against the keys of the source', async () => {
    const v = await verifyExternalToken(trust, env.issuer.token({ aud: 'tessera', sign: { header: { kid: undefined } } }));
    assert.equal(v.header.kid, undefined);
  });

  test('wrong issuer: no source for iss (exact string match, no normalisation)', async () => {
    const other = await issuer();
    await refused(verifyExternalToken(trust, other.token({ aud: 'tessera' })), 'unknown_issuer', /wrong issuer: no trust source for issuer/);
    await refused(verifyExternalToken(trust, env.issuer.token({ aud: 'tessera', claims: { iss: `${env.issuer.issuer}/` } })), 'unknown_issuer');
  });

  test('time claims: expired, not yet valid, issued in the future, too old, too long-lived, missing', async () => {
    const t = now();
    await refused(verifyExternalToken(trust, env.issuer.token({ aud: 'tessera', iat: t - 400, exp: t - 61 })), 'expired', /expired at/);
    await verifyExternalToken(trust, env.issuer.token({ aud: 'tessera', iat: t - 400, exp: t - 30 })); // within the 60 s skew
    await refused(verifyExternalToken(trust, env.issuer.token({ aud: 'tessera', iat: t, nbf: t + 120, exp: t + 300 })), 'not_yet_valid');
    await refused(verifyExternalToken(trust, env.issuer.token({ aud: 'tessera', iat: t + 300, nbf: t, exp: t + 600 })), 'issued_in_future');
    await refused(verifyExternalToken(trust, env.issuer.token({ aud: 'tessera', iat: t - 900, exp: t + 300 })), 'too_old', /at most 600 s/);
    await refused(verifyExternalToken(trust, env.issuer.token({ aud: 'tessera', iat: t, exp: t + 25 * 3600 })), 'lifetime_too_long');
    await refused(verifyExternalToken(trust, env.issuer.token({ aud: 'tessera', claims: { exp: undefined } })), 'missing_claim', /exp/);
    await refused(verifyExternalToken(trust, env.issuer.token({ aud: 'tessera', claims: { iat: undefined } })), 'missing_claim', /iat/);
    await refused(verifyExternalToken(trust, env.issuer.token({ aud: 'tessera', claims: { exp: String(t + 60) } })), 'missing_claim');
  });

  test('wrong audience, or none', async () => {
    await refused(verifyExternalToken(trust, env.issuer.token({ aud: 'someone-else' })), 'wrong_audience', /wrong audience/);
    await refused(verifyExternalToken(trust, env.issuer.token({ aud: ['a', 'b'] })), 'wrong_audience');
    await refused(verifyExternalToken(trust, env.issuer.token({ claims: { aud: undefined } })), 'wrong_audience');
  });

  test('alg none, HS256 with the public key as secret, and alg/key-type mismatch are refused', async () => {
    const claims = JSON.parse(Buffer.from(env.issuer.token({ aud: 'tessera' }).split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    await refused(verifyExternalToken(trust, env.issuer.sign(claims, { alg: 'none' })), 'malformed'); // empty signature part
    const noneWithSig = env.issuer.sign(claims, { alg: 'none' }) + 'AAAA';
    await refused(verifyExternalToken(trust, noneWithSig), 'alg_not_allowed', /alg "none" is not allowed/);
    await refused(verifyExternalToken(trust, env.issuer.sign(claims, { alg: 'HS256' })), 'alg_not_allowed', /HS256/);
    // RS256 is allowed for the source, but the kid names an EC key.
    await refused(verifyExternalToken(trust, env.issuer.sign(claims, { alg: 'RS256' })), 'alg_not_allowed', /does not match the type of key/);
    await refused(verifyExternalToken(trust, env.issuer.sign(claims, { header: { alg: undefined } })), 'alg_not_allowed');
    // An HMAC over the JWKS's own encoding of the key fares no better.
    const h = b64u(JSON.stringify({ alg: 'HS256', kid: env.issuer.kid }));
    const p = b64u(JSON.stringify(claims));
    const mac = createHmac('sha256', JSON.stringify(env.issuer.jwks().keys[0])).update(`${h}.${p}`).digest();
    await refused(verifyExternalToken(trust, `${h}.${p}.${b64u(mac)}`), 'alg_not_allowed');
  });

  test('key hints in the header are ignored: an embedded attacker jwk does not verify', async () => {
    const attacker = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const claims = { iss: env.issuer.issuer, aud: 'tessera', iat: now(), exp: now() + 300, sub: 'x' };
    for (const hint of [{ jwk: attacker.publicKey.export({ format: 'jwk' }) }, { jku: 'http://127.0.0.1:1/jwks' }, { x5u: 'http://127.0.0.1:1/x' }]) {
      const h = b64u(JSON.stringify({ alg: 'ES256', kid: env.issuer.kid, ...hint }));
      const p = b64u(JSON.stringify(claims));
      const sig = cryptoSign('sha256', Buffer.from(`${h}.${p}`), { key: attacker.privateKey, dsaEncoding: 'ieee-p1363' });
      await refused(verifyExternalToken(trust, `${h}.${p}.${b64u(sig)}`), 'bad_signature');
    }
  });

  test('crit, b64, tampered payload, oversized and malformed tokens', async () => {
    await refused(verifyExternalToken(trust, env.issuer.token({ aud: 'tessera', sign: { header: { crit: ['exp'] } } })), 'unsupported_header', /crit/);
    await refused(verifyExternalToken(trust, env.issuer.token({ aud: 'tessera', sign: { header: { b64: false, crit: ['b64'] } } })), 'unsupported_header', /b64/);
    const [h, , s] = env.issuer.token({ aud: 'tessera' }).split('.');
    const forged = b64u(JSON.stringify({ iss: env.issuer.issuer, aud: 'tessera', iat: now(), exp: now() + 300, sub: 'admin' }));
    await refused(verifyExternalToken(trust, `${h}.${forged}.${s}`), 'bad_signature', /bad signature/);
    await refused(verifyExternalToken(trust, env.issuer.token({ aud: 'tessera', claims: { pad: 'x'.repeat(17 * 1024) } })), 'malformed', /too long/);
    await refused(verifyExternalToken(trust, 'not-a-jwt'), 'malformed');
    await refused(verifyExternalToken(trust, env.issuer.token({ aud: 'tessera', claims: { iss: undefined } })), 'malformed', /no iss/);
    await refused(verifyExternalToken(trust, env.issuer.token({ aud: 'tessera', sign: { header: { kid: 42 } } })), 'malformed', /kid/);
  });

  test('unknown kid is refused; a flood of 1,000 random kids costs at most two JWKS fetches', async () => {
    await verifyExternalToken(trust, env.issuer.token({ aud: 'tessera' }));
    await refused(verifyExternalToken(trust, env.issuer.token({ aud: 'tessera', sign: { header: { kid: 'nope' } } })), 'unknown_kid', /unknown kid/);
    env.clock.advance(11_000); // past the refetch interval: one refetch is allowed
    const before = env.issuer.requests().jwks;
    const flood = Array.from({ length: 1000 }, () => env.issuer.token({ aud: 'tessera', lifetime: 3600, sign: { header: { kid: randomBytes(8).toString('hex') } } }));
    // In ten waves, one after the other: concurrent requests share one fetch anyway; the rate
    // limit is what keeps later waves from fetching again.
    for (let w = 0; w < 10; w++) {
      const results = await Promise.allSettled(flood.slice(w * 100, w * 100 + 100).map((t) => verifyExternalToken(trust, t)));
      assert.ok(results.every((r) => r.status === 'rejected' && (r.reason as TesseraError).details?.reason === 'unknown_kid'));
    }
    const fetched = env.issuer.requests().jwks - before;
    assert.ok(fetched <= 2, `${fetched} JWKS fetches`);
    // The genuine key still verifies during and after the flood.
    await verifyExternalToken(trust, env.issuer.token({ aud: 'tessera' }));
  });
});

describe('JWKS caching, rotation and outages', () => {
  const env = useTrustEnv('sqlite', { alg: 'RS256' });
  const issuers: OidcIssuer[] = [];
  after(async () => { for (const i of issuers) await i.close(); });
  let n = 0;
  const source = async (o: Parameters<typeof startOidcIssuer>[0] = {}, extra: Record<string, unknown> = {}) => {
    const i = await startOidcIssuer({ alg: 'RS256', ...o });
    issuers.push(i);
    await env.addSource({ name: `s${++n}`, kind: 'oidc', issuer: i.issuer, audiences: ['tessera'], environment: 'dev', ...extra });
    return i;
  };
  const long = { aud: 'tessera', lifetime: 3600 };

  test('rotation: a new kid is fetched once; a key dropped from the JWKS keeps verifying for the grace period', async () => {
    const i = await source();
    const oldKid = i.kid;
    const signedBefore = i.token(long);
    await verifyExternalToken(env.trust, signedBefore);
    const newKid = i.rotate();
    i.retire(oldKid);
    env.clock.advance(11_000);
    await verifyExternalToken(env.trust, i.token(long)); // unknown kid → refetch → found
    assert.equal(i.requests().jwks, 2);
    assert.notEqual(newKid, oldKid);
    await verifyExternalToken(env.trust, signedBefore); // gone from the JWKS, kept for the grace period
    env.clock.advance(16 * 60_000); // past the grace period (and the TTL)
    await refused(verifyExternalToken(env.trust, signedBefore), 'unknown_kid');
  });

  test('JWKS endpoint down: cached keys keep working past their TTL', async () => {
    const i = await source();
    await verifyExternalToken(env.trust, i.token(long));
    for (const how of ['503', 'close'] as const) {
      i.setDown(true, how);
      env.clock.advance(6 * 60_000); // past the default 5 min TTL: a refresh is attempted and fails
      await verifyExternalToken(env.trust, i.token(long));
      await new Promise((r) => setTimeout(r, 50));
      await verifyExternalToken(env.trust, i.token(long));
    }
    assert.ok(i.requests().jwks >= 2);
  });

  test('JWKS endpoint down and nothing cached: "could not fetch keys for source"', async () => {
    const i = await source();
    i.setDown(true, 'close');
    await refused(verifyExternalToken(env.trust, i.token(long)), 'no_keys', /could not fetch keys for source s\d+/);
    i.setDown(true, '503');
    const cold = env.runtime();
    await refused(verifyExternalToken(cold, i.token(long)), 'no_keys', /HTTP 503/);
    // Within the refetch interval a second token does not hammer the endpoint again.
    const before = i.requests().discovery + i.requests().jwks;
    await refused(verifyExternalToken(cold, i.token(long)), 'no_keys');
    assert.equal(i.requests().discovery + i.requests().jwks, before);
    i.setDown(false);
    env.clock.advance(11_000);
    await verifyExternalToken(cold, i.token(long));
  });

  test('Cache-Control max-age is honoured within bounds', async () => {
    const i = await source({ cacheControl: 'public, max-age=120' });
    await verifyExternalToken(env.trust, i.token(long));
    env.clock.advance(90_000);
    await verifyExternalToken(env.trust, i.token(long));
    assert.equal(i.requests().jwks, 1);
    env.clock.advance(40_000);
    await verifyExternalToken(env.trust, i.token(long));
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(i.requests().jwks, 2);
    // max-age=1 is raised to the one-minute floor.
    i.setCacheControl('max-age=1');
    env.clock.advance(200_000);
    await verifyExternalToken(env.trust, i.token(long));
    await new Promise((r) => setTimeout(r, 100));
    const after = i.requests().jwks;
    env.clock.advance(30_000);
    await verifyExternalToken(env.trust, i.token(long));
    assert.equal(i.requests().jwks, after);
  });

  test('fetch timeout and response size limit', async () => {
    const slow = await source();
    slow.setJwksDelay(1_000);
    await refused(verifyExternalToken(env.runtime({ timeoutMs: 100 }), slow.token(long)), 'no_keys', /did not answer within 100 ms/);
    const big = await source();
    await refused(verifyExternalToken(env.runtime({ maxBytes: 200 }), big.token(long)), 'no_keys', /larger than 200 bytes/);
  });

  test('air-gapped: inline JWKS and a JWKS file, no network', async () => {
    const i = await startOidcIssuer({ alg: 'RS256' });
    issuers.push(i);
    i.setDown(true, 'close');
    await env.addSource({ name: 'inline', kind: 'oidc', issuer: i.issuer, jwks: i.jwks(), audiences: ['tessera'], environment: 'dev' });
    await verifyExternalToken(env.trust, i.token(long));
    const j = await startOidcIssuer({ alg: 'ES256' });
    issuers.push(j);
    j.setDown(true, 'close');
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const file = `${mkdtempSync(`${tmpdir()}/tessera-jwks-`)}/jwks.json`;
    writeFileSync(file, JSON.stringify(j.jwks()));
    await env.addSource({ name: 'file', kind: 'oidc', issuer: j.issuer, jwksFile: file, algorithms: ['ES256'], audiences: ['tessera'], environment: 'dev' });
    await verifyExternalToken(env.trust, j.token(long));
    assert.deepEqual(i.requests(), { jwks: 0, discovery: 0 });
    assert.deepEqual(j.requests(), { jwks: 0, discovery: 0 });
  });

  test('explicit jwksUri skips discovery; a discovery document naming another issuer is refused', async () => {
    const i = await source({}, {});
    const k = await startOidcIssuer({ alg: 'RS256' });
    issuers.push(k);
    await env.addSource({ name: 'direct', kind: 'oidc', issuer: k.issuer, jwksUri: k.jwksUri, audiences: ['tessera'], environment: 'dev' });
    await verifyExternalToken(env.trust, k.token(long));
    assert.deepEqual(k.requests(), { jwks: 1, discovery: 0 });
    // A source whose issuer differs from what its discovery document says gets no keys.
    const m = await startOidcIssuer({ alg: 'RS256', path: '/tenant' });
    issuers.push(m);
    const wrong = `${m.issuer.replace('/tenant', '')}/tenant/`;
    await env.addSource({ name: 'mismatch', kind: 'oidc', issuer: wrong, audiences: ['tessera'], environment: 'dev' });
    await refused(verifyExternalToken(env.trust, m.token({ ...long, claims: { iss: wrong } })), 'no_keys', /names issuer/);
    assert.ok(i);
  });
});
