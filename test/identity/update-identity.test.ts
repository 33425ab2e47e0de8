import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { STORE_KINDS } from '../helpers/test-store.ts';
import { createIdentity, updateIdentity } from '../../src/identity/index.ts';
import { uuidv7 } from '../../src/shared/ids.ts';
import { T0, ctx, useStore, valid, lastAudit, assertRefused } from './setup.ts';

for (const kind of STORE_KINDS) {
  describe(`updateIdentity on ${kind}`, () => {
    const env = useStore(kind);
    const seed = (over: Record<string, unknown> = {}) => createIdentity(env.deps, ctx, valid({ labels: { team: 'pay' }, ...over }));
    const update = (ref: unknown, patch: unknown) => updateIdentity(env.deps, ctx, ref, patch);

    test('changes only the fields given and records them in identity.update', async () => {
      const i = await seed();
      env.clock.advance(1000);
      const u = await update(i.id, { owner: 'team-b', description: 'now owned by b' });
      assert.equal(u.owner, 'team-b');
      assert.equal(u.description, 'now owned by b');
      assert.equal(u.tier, i.tier);
      assert.equal(u.maxTtlSeconds, i.maxTtlSeconds);
      assert.deepEqual(u.labels, i.labels);
      assert.equal(u.updatedAt, i.createdAt + 1000);
      assert.equal(u.createdAt, i.createdAt);
      assert.deepEqual(await env.store.identities.get(i.id), u);
      const ev = await lastAudit(env.store);
      assert.equal(ev.action, 'identity.update');
      assert.equal(ev.outcome, 'success');
      assert.equal(ev.target, i.spiffeId);
      assert.deepEqual(ev.detailsObj, {
        id: i.id,
        changed: { owner: { from: 'team-payments', to: 'team-b' }, description: { from: '', to: 'now owned by b' } },
      });
    });

    test('finds the identity by SPIFFE ID too', async () => {
      const i = await seed();
      assert.equal((await update(i.spiffeId, { tier: 2 })).tier, 2);
    });

    test('maxTtl, ttl, tier, labels and staticException can change; labels are replaced as a whole', async () => {
      const i = await seed();
      const u = await update(i.id, {
        tier: 2, maxTtl: '12h', labels: { region: 'eu' },
        staticException: { reason: 'vendor key', expiresAt: '2030-06-01T00:00:00Z' },
      });
      assert.equal(u.tier, 2);
      assert.equal(u.maxTtlSeconds, 43200);
      assert.deepEqual(u.labels, { region: 'eu' });
      assert.deepEqual(u.staticException, { reason: 'vendor key', expiresAt: Date.parse('2030-06-01T00:00:00Z') });
      assert.deepEqual((await env.store.identities.list({ labels: { team: 'pay' } }, { limit: 10 })).items, []);
      const changed = (await lastAudit(env.store)).detailsObj.changed as Record<string, unknown>;
      assert.deepEqual(Object.keys(changed).sort(), ['labels', 'maxTtlSeconds', 'staticException', 'tier']);
      assert.equal((await update(i.id, { ttl: 60 })).maxTtlSeconds, 60);
    });

    test('staticException null ends the exception; description and labels null clear them', async () => {
      const i = await seed({ description: 'x', staticException: { reason: 'r', expiresAt: env.clock.now() + 86_400_000 } });
      const u = await update(i.id, { staticException: null, description: null, labels: null });
      assert.equal(u.staticException, null);
      assert.equal(u.description, '');
      assert.deepEqual(u.labels, {});
    });

    test('an expired exception already stored does not block other edits', async () => {
      const i = await seed({ staticException: { reason: 'r', expiresAt: env.clock.now() + 1000 } });
      env.clock.advance(5000);
      assert.equal((await update(i.id, { owner: 'team-c' })).owner, 'team-c');
    });

    test('a patch that changes nothing writes nothing', async () => {
      const i = await seed();
      const head = (await env.store.audit.head()).seq;
      const u = await update(i.id, { owner: i.owner, labels: { team: 'pay' }, environment: 'prod', spiffeId: i.spiffeId, ttl: '15m' });
      assert.deepEqual(u, i);
      assert.equal((await env.store.audit.head()).seq, head);
    });

    test('refused: environment change → ERR_ENVIRONMENT_IMMUTABLE', async () => {
      const i = await seed();
      await assertRefused(env, 'identity.update', () => update(i.id, { environment: 'staging' }), 'ERR_ENVIRONMENT_IMMUTABLE', 'environment');
      assert.equal((await lastAudit(env.store)).target, i.spiffeId);
    });

    test('refused: SPIFFE ID change → ERR_INVALID_INPUT', async () => {
      const i = await seed();
      await assertRefused(env, 'identity.update', () => update(i.id, { spiffeId: 'spiffe://tessera.local/other' }), 'ERR_INVALID_INPUT', 'spiffeId');
    });

    test('refused: empty owner → ERR_OWNER_REQUIRED', async () => {
      const i = await seed();
      await assertRefused(env, 'identity.update', () => update(i.id, { owner: '  ' }), 'ERR_OWNER_REQUIRED', 'owner');
      await assertRefused(env, 'identity.update', () => update(i.id, { owner: null }), 'ERR_OWNER_REQUIRED', 'owner');
    });

    test('refused: maxTtl above the tier maximum → ERR_TTL_ABOVE_TIER_MAX on maxTtl', async () => {
      const i = await seed();
      await assertRefused(env, 'identity.update', () => update(i.id, { maxTtl: '2h' }), 'ERR_TTL_ABOVE_TIER_MAX', 'maxTtl');
    });

    test('refused: moving to tier 1 with a TTL above 1h → ERR_TTL_ABOVE_TIER_MAX on tier', async () => {
      const i = await seed({ tier: 3, ttl: '2d' });
      await assertRefused(env, 'identity.update', () => update(i.id, { tier: 1 }), 'ERR_TTL_ABOVE_TIER_MAX', 'tier');
      // Lowering the TTL in the same patch makes it acceptable.
      assert.equal((await update(i.id, { tier: 1, ttl: '30m' })).tier, 1);
    });

    test('refused: exception without a future expiry → ERR_EXCEPTION_EXPIRY_REQUIRED', async () => {
      const i = await seed();
      await assertRefused(env, 'identity.update', () => update(i.id, { staticException: { reason: 'r' } }), 'ERR_EXCEPTION_EXPIRY_REQUIRED', 'staticException.expiresAt');
      await assertRefused(env, 'identity.update', () => update(i.id, { staticException: { reason: 'r', expiresAt: T0 - 1 } }), 'ERR_EXCEPTION_EXPIRY_REQUIRED', 'staticException.expiresAt');
    });

    test('refused: bad values, unknown fields and empty patches → ERR_INVALID_INPUT', async () => {
      const i = await seed();
      await assertRefused(env, 'identity.update', () => update(i.id, { tier: 5 }), 'ERR_INVALID_INPUT', 'tier');
      await assertRefused(env, 'identity.update', () => update(i.id, { labels: { 'bad key': 'v' } }), 'ERR_INVALID_INPUT', 'labels.bad key');
      await assertRefused(env, 'identity.update', () => update(i.id, { ttl: 'forever' }), 'ERR_INVALID_DURATION', 'ttl');
      await assertRefused(env, 'identity.update', () => update(i.id, { ttl: '5m', maxTtl: '5m' }), 'ERR_INVALID_INPUT', 'maxTtl');
      await assertRefused(env, 'identity.update', () => update(i.id, { disabledAt: null }), 'ERR_INVALID_INPUT', 'disabledAt');
      await assertRefused(env, 'identity.update', () => update(i.id, {}), 'ERR_INVALID_INPUT', 'body');
      await assertRefused(env, 'identity.update', () => update(i.id, 'owner=x'), 'ERR_INVALID_INPUT', 'body');
    });

    test('refused: unknown identity → ERR_NOT_FOUND with a denied event', async () => {
      await seed();
      const missing = uuidv7();
      await assertRefused(env, 'identity.update', () => update(missing, { owner: 'x' }), 'ERR_NOT_FOUND', 'id');
      assert.equal((await lastAudit(env.store)).target, missing);
      await assertRefused(env, 'identity.update', () => update('spiffe://tessera.local/none', { owner: 'x' }), 'ERR_NOT_FOUND', 'id');
      await assertRefused(env, 'identity.update', () => update(42, { owner: 'x' }), 'ERR_INVALID_INPUT', 'id');
    });
  });
}

for (const kind of STORE_KINDS) {
  describe(`identity versions on ${kind} (optimistic concurrency)`, () => {
    const env = useStore(kind);
    const seed = () => createIdentity(env.deps, ctx, valid());

    test('every change bumps the version; an edit from a stale version (ifVersion) is refused and changes nothing', async () => {
      const i = await seed();
      assert.equal(i.version, 1);
      const u = await updateIdentity(env.deps, ctx, i.id, { owner: 'team-b' }, { ifVersion: 1 });
      assert.equal(u.version, 2);
      assert.equal((await env.store.identities.get(i.id))!.version, 2);
      await assert.rejects(updateIdentity(env.deps, ctx, i.id, { owner: 'team-c' }, { ifVersion: 1 }),
        (e: unknown) => e instanceof Error && (e as { code?: string }).code === 'ERR_PRECONDITION_FAILED');
      assert.equal((await env.store.identities.get(i.id))!.owner, 'team-b');
      const refused = await lastAudit(env.store);
      assert.equal(refused.outcome, 'denied');
    });

    test('two concurrent edits of the same version: one wins, the other gets ERR_CONFLICT instead of overwriting it', async () => {
      const i = await seed();
      const results = await Promise.allSettled([
        updateIdentity(env.deps, ctx, i.id, { owner: 'team-x' }),
        updateIdentity(env.deps, ctx, i.id, { description: 'edited at the same time' }),
      ]);
      const ok = results.filter((r) => r.status === 'fulfilled');
      const failed = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
      assert.equal(ok.length, 1);
      assert.equal(failed.length, 1);
      assert.equal((failed[0]!.reason as { code?: string }).code, 'ERR_CONFLICT');
      const stored = (await env.store.identities.get(i.id))!;
      assert.equal(stored.version, 2);
      assert.ok((stored.owner === 'team-x') !== (stored.description === 'edited at the same time'), 'exactly one edit landed');
    });
  });
}
