import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createRevocation, introspectToken } from '../../src/revocation/index.ts';
import { createStaticKey } from '../../src/identity/static-keys/index.ts';
import { enableIdentity } from '../../src/identity/index.ts';
import { TesseraError, type ErrorCode } from '../../src/shared/errors.ts';
import { STORE_KINDS } from '../helpers/test-store.ts';
import { ctx, ISSUER, signingKey, snapshot, T0, useRevocationEnv, type Env } from './setup.ts';

const API = 'spiffe://tessera.local/ns/prod/sa/api';
const iso = (t: number) => new Date(t).toISOString();

async function audits(env: Env, n: number) {
  return (await env.store.audit.list({ limit: n, newestFirst: true })).map((e) => ({ ...e, d: JSON.parse(e.details) as Record<string, unknown> }));
}

/** A refusal: the code and field, nothing stored, exactly one `denied` audit event naming the code. */
async function refused(env: Env, input: unknown, code: ErrorCode, field: string): Promise<TesseraError> {
  const before = await snapshot(env.store);
  const head = (await env.store.audit.head()).seq;
  let caught: unknown;
  await assert.rejects(createRevocation(env.deps, ctx, input), (e) => { caught = e; return true; });
  assert.ok(caught instanceof TesseraError, String(caught));
  assert.equal(caught.code, code, caught.message);
  assert.equal(caught.details?.field, field, caught.message);
  assert.equal(await snapshot(env.store), before, 'nothing changed');
  const [ev] = await audits(env, 1);
  assert.equal(ev!.seq, head + 1, 'one audit event');
  assert.deepEqual([ev!.action, ev!.outcome, ev!.actor, ev!.d.code, ev!.d.field], ['revocation.create', 'denied', 'alice', code, field]);
  assert.equal(env.deps.denyList.size(), 0);
  return caught;
}

for (const kind of STORE_KINDS) {
  describe(`createRevocation on ${kind}`, () => {
    const env = useRevocationEnv(kind);

    test('a jti: durable, audited with detectedAt, in force at once, kept for the longest token lifetime', async () => {
      const detectedAt = T0 - 90_000;
      const { revocation: r, created } = await createRevocation(env.deps, ctx, { jti: 'j-1', reason: 'found in a log', detectedAt: iso(detectedAt) });
      assert.equal(created, true);
      assert.deepEqual([r.kind, r.value, r.reason, r.detectedAt, r.revokedAt, r.expiresAt, r.revokedBy], ['jti', 'j-1', 'found in a log', detectedAt, T0, T0 + 3_600_000, 'alice']);
      assert.deepEqual(await env.store.revocations.findActive('jti', 'j-1', T0), r);
      assert.equal(env.deps.denyList.isRevoked({ jti: 'j-1' }), true);
      const [ev] = await audits(env, 1);
      assert.deepEqual([ev!.action, ev!.outcome, ev!.target, ev!.d.kind, ev!.d.value, ev!.d.detectedAt, ev!.d.revokedAt, ev!.d.reason],
        ['revocation.create', 'success', 'j-1', 'jti', 'j-1', iso(detectedAt), iso(T0), 'found in a log']);
    });

    test('revoking the same jti again returns the existing revocation and writes nothing', async () => {
      const first = await createRevocation(env.deps, ctx, { jti: 'j-2' });
      const head = (await env.store.audit.head()).seq;
      const again = await createRevocation(env.deps, ctx, { jti: 'j-2', reason: 'again' });
      assert.equal(again.created, false);
      assert.deepEqual(again.revocation, first.revocation);
      assert.equal((await env.store.audit.head()).seq, head);
    });

    test('a token: revoked by its jti until its own expiry; it then introspects inactive', async () => {
      await env.identity();
      const token = env.svid({ jti: 'svid-1', exp: Math.floor(T0 / 1000) + 120 });
      assert.equal((await introspectToken(env.deps, token)).active, true);
      const { revocation: r } = await createRevocation(env.deps, ctx, { token });
      assert.deepEqual([r.kind, r.value, r.expiresAt, r.detectedAt], ['jti', 'svid-1', T0 + 120_000, T0]);
      assert.deepEqual(await introspectToken(env.deps, token), { active: false, reason: 'revoked', tokenType: 'jwt_svid' });
      assert.equal((await audits(env, 1))[0]!.target, API, 'audited against the token subject');
    });

    test('an identity: disabled in the same transaction, every token it holds revoked, newer ones not', async () => {
      const identity = await env.identity();
      const old = env.svid({ sub: API });
      const { revocation: r } = await createRevocation(env.deps, ctx, { identity: API, reason: 'compromised node' });
      assert.deepEqual([r.kind, r.value, r.expiresAt], ['identity', API, T0 + 3_600_000]);
      const after = await env.store.identities.get(identity.id);
      assert.equal(after?.disabledAt, T0);
      assert.equal(after?.disabledBy, 'alice');
      const [rev, dis] = await audits(env, 2);
      assert.deepEqual([rev!.action, rev!.target, dis!.action, dis!.target, dis!.d.revocationId], ['revocation.create', API, 'identity.disable', API, r.id]);
      assert.equal(rev!.seq, dis!.seq + 1);
      assert.equal((await introspectToken(env.deps, old)).active, false);
      // Re-enabled later: tokens from before the revocation stay revoked, new ones are valid.
      env.clock.advance(5000);
      await enableIdentity({ store: env.store, clock: env.clock, trustDomain: 'tessera.local' }, ctx, identity.id);
      assert.deepEqual(await introspectToken(env.deps, old), { active: false, reason: 'revoked', tokenType: 'jwt_svid' });
      assert.equal((await introspectToken(env.deps, env.svid({ sub: API }))).active, true, 'a token issued after the cut-off is not covered');
    });

    test('an identity by id; revoking it again records a new cut-off but does not disable twice', async () => {
      const identity = await env.identity();
      await createRevocation(env.deps, ctx, { identity: identity.id });
      env.clock.advance(10_000);
      const head = (await env.store.audit.head()).seq;
      const again = await createRevocation(env.deps, ctx, { identity: identity.id });
      assert.equal(again.created, true);
      assert.equal(again.revocation.revokedAt, T0 + 10_000);
      assert.equal((await env.store.identities.get(identity.id))?.disabledAt, T0, 'first disable time kept');
      assert.deepEqual((await audits(env, 1)).map((e) => e.action), ['revocation.create']);
      assert.equal((await env.store.audit.head()).seq, head + 1);
    });

    test('a static key by id or by the key itself: marked revoked, kept until the key would expire', async () => {
      const identity = await env.identity();
      const sdeps = { store: env.store, clock: env.clock, trustDomain: 'tessera.local' };
      const a = await createStaticKey(sdeps, ctx, identity.id, { expires: '10d' });
      const b = await createStaticKey(sdeps, ctx, identity.id, { expires: '2d' });
      const byId = await createRevocation(env.deps, ctx, { staticKeyId: a.record.id });
      assert.deepEqual([byId.revocation.kind, byId.revocation.value, byId.revocation.expiresAt], ['static-key', a.record.id, a.record.expiresAt]);
      assert.equal((await env.store.staticKeys.get(a.record.id))?.revokedAt, T0);
      const [rev, kr] = await audits(env, 2);
      assert.deepEqual([rev!.action, rev!.target, kr!.action, kr!.d.id, kr!.d.last4], ['revocation.create', API, 'static-key.revoke', a.record.id, a.record.last4]);
      assert.ok(!JSON.stringify(await audits(env, 20)).includes(a.key), 'the key itself is never audited');
      assert.deepEqual(await introspectToken(env.deps, a.key), { active: false, reason: 'static key is revoked', tokenType: 'static_key' });

      const byKey = await createRevocation(env.deps, ctx, { token: b.key });
      assert.equal(byKey.revocation.value, b.record.id);
      assert.equal((await introspectToken(env.deps, b.key)).active, false);
      assert.equal((await createRevocation(env.deps, ctx, { staticKeyId: a.record.id })).created, false);
    });

    test('bad inputs: a clear code, nothing stored, a denied audit event', async () => {
      await env.identity();
      const now = Math.floor(T0 / 1000);
      await refused(env, {}, 'ERR_INVALID_INPUT', 'jti');
      await refused(env, { jti: 'a', identity: API }, 'ERR_INVALID_INPUT', 'identity');
      await refused(env, { jti: '' }, 'ERR_INVALID_INPUT', 'jti');
      await refused(env, { jti: 'x'.repeat(257) }, 'ERR_INVALID_INPUT', 'jti');
      await refused(env, { jti: 5 }, 'ERR_INVALID_INPUT', 'jti');
      await refused(env, { jti: 'a', colour: 'red' }, 'ERR_INVALID_INPUT', 'colour');
      await refused(env, { jti: 'a', reason: 'r'.repeat(1025) }, 'ERR_INVALID_INPUT', 'reason');
      await refused(env, { jti: 'a', detectedAt: 'yesterday' }, 'ERR_INVALID_INPUT', 'detectedAt');
      await refused(env, { jti: 'a', detectedAt: iso(T0 + 3_600_000) }, 'ERR_INVALID_INPUT', 'detectedAt');
      await refused(env, { identity: 'spiffe://tessera.local/nobody' }, 'ERR_NOT_FOUND', 'identity');
      await refused(env, { staticKeyId: randomUUID() }, 'ERR_NOT_FOUND', 'staticKeyId');
      await refused(env, { token: 'not-a-token' }, 'ERR_INVALID_INPUT', 'token');
      await refused(env, { token: 'tsk_0000000000000000000000000000000000AA' }, 'ERR_INVALID_INPUT', 'token');
      const expired = await refused(env, { token: env.svid({ iat: now - 600, exp: now - 300 }) }, 'ERR_INVALID_INPUT', 'token');
      assert.match(expired.message, /already expired/);
      await refused(env, { token: env.svid({ iss: 'https://elsewhere.test' }) }, 'ERR_INVALID_INPUT', 'token');
      await refused(env, { token: signingKey().sign({ iss: ISSUER, sub: API, aud: 'x', iat: now, exp: now + 60, jti: 'j' }, 'JWT') }, 'ERR_INVALID_INPUT', 'token');
      await refused(env, null, 'ERR_INVALID_INPUT', 'body');
    });
  });
}
