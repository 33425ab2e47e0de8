// The JWT-SVID issuance operation on both stores: header and claims exact, the TTL rule, and
// every refusal audited with nothing issued.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as jose from 'jose';
import { decodeJws, mintJwtSvid, verifyJwtSvid, JWT_SVID_ACTION, type JwtSvidDeps, type StartedCa } from '../../src/ca/index.ts';
import { createIdentity, disableIdentity } from '../../src/identity/index.ts';
import { fixedClock } from '../../src/shared/clock.ts';
import type { RequestContext } from '../../src/shared/context.ts';
import { TesseraError, type ErrorCode } from '../../src/shared/errors.ts';
import type { Store } from '../../src/store/index.ts';
import { STORE_KINDS, openTestStore } from '../helpers/test-store.ts';
import { T0, startTestCa } from './ca-fixtures.ts';

const ISSUER = 'https://tessera.test';
const ctx: RequestContext = { actor: { id: 'alice', roles: ['admin'] }, requestId: 'req-7', sourceIp: '127.0.0.1' };
const TIER1 = 'spiffe://tessera.local/ns/prod/sa/payments';   // max 15m
const TIER3 = 'spiffe://tessera.local/ns/dev/sa/tools';       // max 2h (policy max 1h)

for (const kind of STORE_KINDS) {
  describe(`mintJwtSvid on ${kind}`, () => {
    const clock = fixedClock(T0);
    let store: Store;
    let ca: StartedCa;
    let cleanup: () => Promise<void>;
    let deps: JwtSvidDeps;
    let tier1Id: string;
    before(async () => {
      ({ store, cleanup } = await openTestStore(kind, { clock }));
      ca = await startTestCa(store, clock);
      deps = { store, clock, ca, issuer: ISSUER, svidMaxTtl: 3600 };
      const idDeps = { store, clock, trustDomain: 'tessera.local' };
      tier1Id = (await createIdentity(idDeps, ctx, { spiffeId: TIER1, owner: 'team-payments', environment: 'prod', tier: 1, ttl: '15m' })).id;
      await createIdentity(idDeps, ctx, { spiffeId: TIER3, owner: 'team-tools', environment: 'dev', tier: 3, ttl: '2h' });
      await createIdentity(idDeps, ctx, { spiffeId: 'spiffe://tessera.local/ns/prod/sa/old', owner: 'team-x', environment: 'prod', tier: 2, ttl: '1h' });
      await disableIdentity(idDeps, ctx, 'spiffe://tessera.local/ns/prod/sa/old');
    });
    after(async () => { ca.close(); await cleanup(); });

    const mintEvents = async (outcome: 'success' | 'denied') =>
      (await store.audit.list({ action: JWT_SVID_ACTION, outcome, limit: 1000 })).map((e) => ({ ...e, details: JSON.parse(e.details) as Record<string, unknown> }));

    test('header exactly {alg, kid, typ: JWT}; claims exactly iss, sub, aud, exp, iat, jti; audited without the token', async () => {
      const svid = await mintJwtSvid(deps, ctx, { identity: TIER1, audience: 'orders', ttl: '5m' });
      const d = decodeJws(svid.token);
      assert.ok(d.ok);
      assert.deepEqual(d.jws.header, { alg: 'ES256', kid: ca.jwtSigner().kid, typ: 'JWT' });
      assert.deepEqual(Object.keys(d.jws.payload!).sort(), ['aud', 'exp', 'iat', 'iss', 'jti', 'sub']);
      const iat = Math.floor(T0 / 1000);
      assert.deepEqual({ ...d.jws.payload, jti: undefined }, { iss: ISSUER, sub: TIER1, aud: 'orders', iat, exp: iat + 300, jti: undefined });
      assert.match(String(d.jws.payload!.jti), /^[A-Za-z0-9_-]{22}$/, '128 random bits, base64url');
      assert.equal(svid.jti, d.jws.payload!.jti);
      assert.equal(svid.expiresAt, (iat + 300) * 1000);
      assert.equal(svid.identityId, tier1Id);
      // A library written by others verifies it against the published keys.
      const jwks = jose.createLocalJWKSet({ keys: ca.jwtKeys().map((k) => ({ ...k.publicJwk, kid: k.kid, alg: k.alg })) as jose.JWK[] });
      const { payload } = await jose.jwtVerify(svid.token, jwks, { issuer: ISSUER, audience: 'orders', currentDate: new Date(T0) });
      assert.equal(payload.sub, TIER1);

      const [event] = (await mintEvents('success')).filter((e) => e.details.jti === svid.jti);
      assert.ok(event);
      assert.equal(event.target, TIER1);
      assert.equal(event.actor, 'alice');
      assert.equal(event.requestId, 'req-7');
      assert.deepEqual(event.details.aud, ['orders']);
      assert.equal(event.details.exp, new Date(svid.expiresAt).toISOString());
      assert.equal(event.details.kid, ca.jwtSigner().kid);
      assert.ok(!JSON.stringify(event).includes(svid.token.split('.')[2]!), 'the token (its signature) is never in the audit log');
    });

    test('several audiences become an array; duplicates fold; the identity may be named by id', async () => {
      const svid = await mintJwtSvid(deps, ctx, { identity: tier1Id, audience: ['orders', 'billing', 'orders'] });
      const d = decodeJws(svid.token);
      assert.ok(d.ok);
      assert.deepEqual(d.jws.payload!.aud, ['orders', 'billing']);
      assert.equal(d.jws.payload!.sub, TIER1);
    });

    test('TTL = min(requested, identity max, policy max); no request gets the smaller maximum', async () => {
      const ttl = async (identity: string, requested?: unknown) => {
        const s = await mintJwtSvid(deps, ctx, { identity, audience: 'a', ...(requested === undefined ? {} : { ttl: requested }) });
        return s.ttlSeconds;
      };
      assert.equal(await ttl(TIER1), 900, 'identity max 15m < policy 1h');
      assert.equal(await ttl(TIER1, '90s'), 90);
      assert.equal(await ttl(TIER1, 900), 900, 'exactly the identity max is fine');
      assert.equal(await ttl(TIER3), 3600, 'policy max 1h < identity max 2h');
      assert.equal(await ttl(TIER3, '90m'), 3600, 'within the identity max, capped by the policy max');
    });

    const refused = async (input: Record<string, unknown>, code: ErrorCode, field: string) => {
      const before = (await mintEvents('denied')).length;
      const successes = (await mintEvents('success')).length;
      await assert.rejects(mintJwtSvid(deps, ctx, input), (e) => {
        assert.ok(e instanceof TesseraError, String(e));
        assert.equal(e.code, code, e.message);
        assert.equal(e.details?.field, field);
        return true;
      });
      const denied = await mintEvents('denied');
      assert.equal(denied.length, before + 1, 'the refusal is audited');
      assert.equal(denied.at(-1)!.details.code, code);
      assert.equal((await mintEvents('success')).length, successes, 'nothing issued');
      return denied.at(-1)!;
    };

    test('a TTL above the identity maximum is refused with ERR_TTL_ABOVE_TIER_MAX naming ttl', async () => {
      const e = await refused({ identity: TIER1, audience: 'a', ttl: '16m' }, 'ERR_TTL_ABOVE_TIER_MAX', 'ttl');
      assert.equal(e.target, TIER1);
      await refused({ identity: TIER3, audience: 'a', ttl: '3h' }, 'ERR_TTL_ABOVE_TIER_MAX', 'ttl');
      await refused({ identity: TIER1, audience: 'a', ttl: 'soon' }, 'ERR_INVALID_DURATION', 'ttl');
      await refused({ identity: TIER1, audience: 'a', ttl: 0 }, 'ERR_INVALID_DURATION', 'ttl');
    });

    test('unknown and disabled identities are refused (ERR_NOT_FOUND, ERR_IDENTITY_DISABLED) and audited', async () => {
      const unknown = await refused({ identity: 'spiffe://tessera.local/ns/prod/sa/nobody', audience: 'a' }, 'ERR_NOT_FOUND', 'identity');
      assert.equal(unknown.target, 'spiffe://tessera.local/ns/prod/sa/nobody');
      const disabled = await refused({ identity: 'spiffe://tessera.local/ns/prod/sa/old', audience: 'a' }, 'ERR_IDENTITY_DISABLED', 'identity');
      assert.equal(disabled.target, 'spiffe://tessera.local/ns/prod/sa/old');
      await refused({ audience: 'a' }, 'ERR_INVALID_INPUT', 'identity');
      await refused({ identity: 42, audience: 'a' }, 'ERR_INVALID_INPUT', 'identity');
    });

    test('the audience is required, bounded and never a wildcard', async () => {
      for (const audience of [undefined, '', [], ['a', 7], ['*'], 'https://*.example.com', 'x'.repeat(257), Array.from({ length: 17 }, (_, i) => `a${i}`), 'a\nb', {}]) {
        await refused({ identity: TIER1, ...(audience === undefined ? {} : { audience }) }, 'ERR_INVALID_INPUT', 'audience');
      }
      assert.equal((await mintJwtSvid(deps, ctx, { identity: TIER1, audience: 'x'.repeat(256) })).audience[0]!.length, 256);
    });

    test('the token verifies through the SDK path (verifyJwtSvid) with the published keys', async () => {
      const svid = await mintJwtSvid(deps, ctx, { identity: TIER1, audience: ['orders'] });
      const key = (kid: string) => { const k = ca.jwtKeys().find((p) => p.kid === kid); return k && { alg: k.alg, key: k.publicKey }; };
      const r = verifyJwtSvid(svid.token, { key, audience: 'orders', now: clock.now(), issuer: ISSUER, trustDomain: 'tessera.local' });
      assert.ok(r.ok, JSON.stringify(r));
      assert.equal(r.svid.spiffeId, TIER1);
      assert.equal(r.svid.jti, svid.jti);
    });
  });
}
