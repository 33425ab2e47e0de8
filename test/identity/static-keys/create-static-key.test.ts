import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createIdentity, disableIdentity } from '../../../src/identity/index.ts';
import { createStaticKey, hashStaticKey, listStaticKeys, parseStaticKey } from '../../../src/identity/static-keys/index.ts';
import { TesseraError, type ErrorCode } from '../../../src/shared/errors.ts';
import { STORE_KINDS } from '../../helpers/test-store.ts';
import { ctx, T0, useStore, type Env } from '../setup.ts';

const DAY = 86_400_000;
const iso = (t: number) => new Date(t).toISOString();
const LEGACY = 'spiffe://tessera.local/ns/prod/sa/legacy';

for (const kind of STORE_KINDS) {
  describe(`createStaticKey on ${kind}`, () => {
    const env: Env = useStore(kind);
    const deps = () => ({ ...env.deps, store: env.store });
    const identity = (over: Record<string, unknown> = {}) => createIdentity(env.deps, ctx,
      { spiffeId: LEGACY, owner: 'team-legacy', environment: 'prod', tier: 2, ttl: '1h', ...over });
    const keyRows = () => env.store.db.all('SELECT * FROM static_keys');

    async function refused(identityRef: string, input: unknown, code: ErrorCode, field: string): Promise<void> {
      const rows = JSON.stringify(await keyRows());
      const head = (await env.store.audit.head()).seq;
      let caught: unknown;
      await assert.rejects(createStaticKey(deps(), ctx, identityRef, input), (e) => { caught = e; return true; });
      assert.ok(caught instanceof TesseraError, String(caught));
      assert.equal(caught.code, code, caught.message);
      assert.equal(caught.details?.field, field, caught.message);
      assert.equal(JSON.stringify(await keyRows()), rows, 'nothing stored');
      const ev = await env.store.audit.last();
      assert.equal(ev!.seq, head + 1);
      assert.deepEqual([ev!.action, ev!.outcome, JSON.parse(ev!.details).code], ['static-key.create', 'denied', code]);
    }

    test('issues a tsk_ key shown once; only its hash and last 4 characters are stored; audited without the key', async () => {
      const i = await identity();
      const k = await createStaticKey(deps(), ctx, LEGACY, { expires: '30d' });
      assert.ok(parseStaticKey(k.key).ok);
      assert.deepEqual([k.record.identityId, k.record.owner, k.record.expiresAt, k.record.createdBy, k.record.revokedAt],
        [i.id, 'team-legacy', T0 + 30 * DAY, 'alice', null]);
      assert.equal(k.record.hash, hashStaticKey(k.key));
      assert.equal(k.record.last4, k.key.slice(-4));
      const rows = JSON.stringify(await keyRows());
      assert.ok(!rows.includes(k.key) && !rows.includes(k.key.slice(4, 34)), 'the key is not in the table');
      const ev = await env.store.audit.last();
      assert.deepEqual([ev!.action, ev!.outcome, ev!.target], ['static-key.create', 'success', LEGACY]);
      assert.deepEqual(JSON.parse(ev!.details), { id: k.record.id, identityId: i.id, owner: 'team-legacy', last4: k.record.last4, expiresAt: iso(T0 + 30 * DAY) });
      const all = JSON.stringify(await env.store.audit.list({ limit: 1000 }));
      assert.ok(!all.includes(k.key.slice(4, 34)), 'the key is in no audit event');
      const listed = await listStaticKeys(deps(), ctx, i.id);
      assert.deepEqual(listed.keys.map((x) => x.id), [k.record.id]);
    });

    test('an owner may be given; an ISO expiry is accepted', async () => {
      await identity();
      const k = await createStaticKey(deps(), ctx, LEGACY, { expires: iso(T0 + 3 * DAY), owner: 'ops@example.com' });
      assert.deepEqual([k.record.owner, k.record.expiresAt], ['ops@example.com', T0 + 3 * DAY]);
    });

    test('tier 1: needs a current static-credential exception, at most 30 days, and never beyond the exception', async () => {
      await identity({ tier: 1, ttl: '15m' });
      await refused(LEGACY, { expires: '7d' }, 'ERR_STATIC_EXCEPTION_REQUIRED', 'identity');
      const exc = { reason: 'mainframe batch cannot do OIDC', expiresAt: iso(T0 + 20 * DAY) };
      await env.store.write(async (tx) => {
        const i = (await env.store.identities.getBySpiffeId(LEGACY))!;
        await env.store.identities.update(tx, { ...i, staticException: { reason: exc.reason, expiresAt: T0 + 20 * DAY } });
      });
      await refused(LEGACY, { expires: '21d' }, 'ERR_STATIC_KEY_OUTLIVES_EXCEPTION', 'expires');
      const ok = await createStaticKey(deps(), ctx, LEGACY, { expires: '20d' });
      assert.equal(ok.record.expiresAt, T0 + 20 * DAY);
      await env.store.write(async (tx) => {
        const i = (await env.store.identities.getBySpiffeId(LEGACY))!;
        await env.store.identities.update(tx, { ...i, staticException: { reason: exc.reason, expiresAt: T0 + 90 * DAY } });
      });
      await refused(LEGACY, { expires: '31d' }, 'ERR_TTL_ABOVE_TIER_MAX', 'expires');
      await createStaticKey(deps(), ctx, LEGACY, { expires: '30d' });
    });

    test('an exception that has ended blocks new keys on any tier', async () => {
      await identity({ tier: 3, ttl: '1h', staticException: { reason: 'legacy', expiresAt: iso(T0 + DAY) } });
      env.clock.advance(DAY);
      await refused(LEGACY, { expires: '1d' }, 'ERR_STATIC_EXCEPTION_REQUIRED', 'identity');
    });

    test('bad inputs: a clear code, nothing stored, a denied audit event', async () => {
      await identity();
      await refused(LEGACY, {}, 'ERR_EXCEPTION_EXPIRY_REQUIRED', 'expires');
      await refused(LEGACY, { expires: '' }, 'ERR_EXCEPTION_EXPIRY_REQUIRED', 'expires');
      await refused(LEGACY, { expires: iso(T0 - 1000) }, 'ERR_EXCEPTION_EXPIRY_REQUIRED', 'expires');
      await refused(LEGACY, { expires: 'soon' }, 'ERR_INVALID_INPUT', 'expires');
      await refused(LEGACY, { expires: 30 }, 'ERR_INVALID_INPUT', 'expires');
      await refused(LEGACY, { expires: '2030-13-45' }, 'ERR_INVALID_INPUT', 'expires');
      await refused(LEGACY, { expires: '366d' }, 'ERR_TTL_ABOVE_TIER_MAX', 'expires');
      await refused(LEGACY, { expires: '1d', owner: '' }, 'ERR_OWNER_REQUIRED', 'owner');
      await refused(LEGACY, { expires: '1d', owner: 'bad owner!' }, 'ERR_OWNER_REQUIRED', 'owner');
      await refused(LEGACY, { expires: '1d', key: 'tsk_mine' }, 'ERR_INVALID_INPUT', 'key');
      await refused('spiffe://tessera.local/nobody', { expires: '1d' }, 'ERR_NOT_FOUND', 'identity');
      await disableIdentity(env.deps, ctx, LEGACY);
      await refused(LEGACY, { expires: '1d' }, 'ERR_IDENTITY_DISABLED', 'identity');
    });
  });
}
