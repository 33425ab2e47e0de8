import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { STORE_KINDS } from '../helpers/test-store.ts';
import { createIdentity, deleteIdentity } from '../../src/identity/index.ts';
import { uuidv7 } from '../../src/shared/ids.ts';
import { ctx, useStore, valid, lastAudit, assertRefused } from './setup.ts';

for (const kind of STORE_KINDS) {
  describe(`deleteIdentity on ${kind}`, () => {
    const env = useStore(kind);

    test('deletes by id and records what was deleted in identity.delete', async () => {
      const i = await createIdentity(env.deps, ctx, valid({ labels: { team: 'pay' } }));
      const other = await createIdentity(env.deps, ctx, valid({ spiffeId: 'spiffe://tessera.local/other' }));
      assert.deepEqual(await deleteIdentity(env.deps, ctx, i.id), i);
      assert.equal(await env.store.identities.get(i.id), undefined);
      assert.ok(await env.store.identities.get(other.id));
      const ev = await lastAudit(env.store);
      assert.equal(ev.action, 'identity.delete');
      assert.equal(ev.outcome, 'success');
      assert.equal(ev.target, i.spiffeId);
      assert.equal(ev.detailsObj.id, i.id);
      assert.equal(ev.detailsObj.owner, 'team-payments');
      assert.deepEqual(ev.detailsObj.labels, { team: 'pay' });
    });

    test('deletes by SPIFFE ID', async () => {
      const i = await createIdentity(env.deps, ctx, valid());
      await deleteIdentity(env.deps, ctx, i.spiffeId);
      assert.equal(await env.store.identities.count(), 0);
    });

    test('refused: unknown or already deleted identity → ERR_NOT_FOUND with a denied event', async () => {
      const i = await createIdentity(env.deps, ctx, valid());
      await deleteIdentity(env.deps, ctx, i.id);
      await assertRefused(env, 'identity.delete', () => deleteIdentity(env.deps, ctx, i.id), 'ERR_NOT_FOUND', 'id');
      await assertRefused(env, 'identity.delete', () => deleteIdentity(env.deps, ctx, uuidv7()), 'ERR_NOT_FOUND', 'id');
      await assertRefused(env, 'identity.delete', () => deleteIdentity(env.deps, ctx, { id: i.id }), 'ERR_INVALID_INPUT', 'id');
    });

    test('two concurrent deletes: one succeeds, the other is ERR_NOT_FOUND', async () => {
      const i = await createIdentity(env.deps, ctx, valid());
      const results = await Promise.allSettled([deleteIdentity(env.deps, ctx, i.id), deleteIdentity(env.deps, ctx, i.id)]);
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      assert.equal(failed?.reason.code, 'ERR_NOT_FOUND');
      const events = await env.store.audit.list({ action: 'identity.delete', limit: 2, newestFirst: true });
      assert.deepEqual(events.map((e) => e.outcome).sort(), ['denied', 'success']);
    });
  });
}
