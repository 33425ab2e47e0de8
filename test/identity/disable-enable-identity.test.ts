import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { STORE_KINDS } from '../helpers/test-store.ts';
import { createIdentity, disableIdentity, enableIdentity } from '../../src/identity/index.ts';
import { uuidv7 } from '../../src/shared/ids.ts';
import { ctx, useStore, valid, lastAudit, assertRefused } from './setup.ts';

for (const kind of STORE_KINDS) {
  describe(`disableIdentity / enableIdentity on ${kind}`, () => {
    const env = useStore(kind);
    const seed = () => createIdentity(env.deps, ctx, valid());

    test('disable records when and by whom, and writes identity.disable', async () => {
      const i = await seed();
      env.clock.advance(60_000);
      const d = await disableIdentity(env.deps, ctx, i.id);
      assert.equal(d.disabledAt, env.clock.now());
      assert.equal(d.disabledBy, 'alice');
      assert.deepEqual(await env.store.identities.get(i.id), d);
      const ev = await lastAudit(env.store);
      assert.equal(ev.action, 'identity.disable');
      assert.equal(ev.outcome, 'success');
      assert.equal(ev.target, i.spiffeId);
      assert.equal(ev.detailsObj.id, i.id);
    });

    test('disabling twice changes nothing the second time', async () => {
      const i = await seed();
      const d = await disableIdentity(env.deps, ctx, i.spiffeId);
      const head = (await env.store.audit.head()).seq;
      env.clock.advance(1000);
      assert.deepEqual(await disableIdentity(env.deps, ctx, i.id), d);
      assert.equal((await env.store.audit.head()).seq, head);
    });

    test('enable clears the disabled fields and writes identity.enable', async () => {
      const i = await seed();
      const d = await disableIdentity(env.deps, ctx, i.id);
      env.clock.advance(1000);
      const e = await enableIdentity(env.deps, { ...ctx, actor: { id: 'bob', roles: ['admin'] } }, i.spiffeId);
      assert.equal(e.disabledAt, null);
      assert.equal(e.disabledBy, null);
      assert.equal(e.updatedBy, 'bob');
      assert.deepEqual(await env.store.identities.get(i.id), e);
      const ev = await lastAudit(env.store);
      assert.equal(ev.action, 'identity.enable');
      assert.equal(ev.actor, 'bob');
      assert.equal(ev.detailsObj.disabledBy, 'alice');
      assert.equal(ev.detailsObj.disabledAt, new Date(d.disabledAt!).toISOString());
    });

    test('enabling an enabled identity changes nothing', async () => {
      const i = await seed();
      const head = (await env.store.audit.head()).seq;
      assert.deepEqual(await enableIdentity(env.deps, ctx, i.id), i);
      assert.equal((await env.store.audit.head()).seq, head);
    });

    test('refused: unknown identity → ERR_NOT_FOUND with a denied event', async () => {
      await seed();
      await assertRefused(env, 'identity.disable', () => disableIdentity(env.deps, ctx, uuidv7()), 'ERR_NOT_FOUND', 'id');
      await assertRefused(env, 'identity.enable', () => enableIdentity(env.deps, ctx, 'spiffe://tessera.local/none'), 'ERR_NOT_FOUND', 'id');
      await assertRefused(env, 'identity.disable', () => disableIdentity(env.deps, ctx, ''), 'ERR_INVALID_INPUT', 'id');
    });
  });
}
