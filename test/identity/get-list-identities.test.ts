import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { STORE_KINDS } from '../helpers/test-store.ts';
import { createIdentity, getIdentity, listIdentities, disableIdentity, type Identity } from '../../src/identity/index.ts';
import { TesseraError } from '../../src/shared/errors.ts';
import { uuidv7 } from '../../src/shared/ids.ts';
import { ctx, useStore, valid } from './setup.ts';

const refused = (code: string, field: string) => (e: unknown) => {
  assert.ok(e instanceof TesseraError);
  assert.equal(e.code, code, e.message);
  assert.equal(e.details?.field, field);
  return true;
};

for (const kind of STORE_KINDS) {
  describe(`getIdentity / listIdentities on ${kind}`, () => {
    const env = useStore(kind);
    const list = (q: unknown) => listIdentities(env.deps, ctx, q);
    const ids = async (q: Record<string, unknown>) => (await list(q)).items.map((i) => i.spiffeId.split('/').pop());

    const seedAll = async () => {
      const specs: [string, string, string, 1 | 2 | 3, Record<string, string>][] = [
        ['a', 'team-a', 'prod', 1, { app: 'pay', region: 'eu' }],
        ['b', 'team-b', 'prod', 2, { app: 'pay', region: 'us' }],
        ['c', 'team-a', 'dev', 3, { app: 'web' }],
        ['d', 'team-c', 'staging', 2, {}],
      ];
      const out: Identity[] = [];
      for (const [name, owner, environment, tier, labels] of specs) {
        out.push(await createIdentity(env.deps, ctx, valid({ spiffeId: `spiffe://tessera.local/${name}`, owner, environment, tier, labels })));
        env.clock.advance(1);
      }
      return out;
    };

    test('get finds by id and by SPIFFE ID', async () => {
      const [a] = await seedAll();
      assert.deepEqual(await getIdentity(env.deps, ctx, a!.id), a);
      assert.deepEqual(await getIdentity(env.deps, ctx, a!.spiffeId), a);
    });

    test('get of an unknown identity is ERR_NOT_FOUND; a non-string is ERR_INVALID_INPUT', async () => {
      await assert.rejects(getIdentity(env.deps, ctx, uuidv7()), refused('ERR_NOT_FOUND', 'id'));
      await assert.rejects(getIdentity(env.deps, ctx, 'spiffe://tessera.local/none'), refused('ERR_NOT_FOUND', 'id'));
      await assert.rejects(getIdentity(env.deps, ctx, undefined), refused('ERR_INVALID_INPUT', 'id'));
    });

    test('list filters by owner, environment, tier and labels (all must match)', async () => {
      await seedAll();
      assert.deepEqual(await ids({}), ['a', 'b', 'c', 'd']);
      assert.deepEqual(await ids({ owner: 'team-a' }), ['a', 'c']);
      assert.deepEqual(await ids({ environment: 'prod' }), ['a', 'b']);
      assert.deepEqual(await ids({ tier: 2 }), ['b', 'd']);
      assert.deepEqual(await ids({ labels: 'app=pay' }), ['a', 'b']);
      assert.deepEqual(await ids({ labels: ['app=pay', 'region=us'] }), ['b']);
      assert.deepEqual(await ids({ labels: { app: 'web' } }), ['c']);
      assert.deepEqual(await ids({ owner: 'team-a', environment: 'dev', tier: 3, labels: ['app=web'] }), ['c']);
      assert.deepEqual(await ids({ owner: 'team-a', tier: 2 }), []);
      assert.deepEqual(await ids({ labels: ['app=pay', 'app=pay'] }), ['a', 'b'], 'a repeated identical selector is harmless');
      assert.deepEqual(await ids({ labels: 'note=a=b' }), [], 'the value is everything after the first "="');
      assert.deepEqual(await ids({ label: ['app=pay', 'region=eu'] }), ['a'], 'label is the query-string name for labels');
    });

    test('list can leave out disabled identities', async () => {
      const [a] = await seedAll();
      await disableIdentity(env.deps, ctx, a!.id);
      assert.deepEqual(await ids({ includeDisabled: false }), ['b', 'c', 'd']);
      assert.deepEqual(await ids({}), ['a', 'b', 'c', 'd']);
    });

    test('pagination: opaque cursors walk every page; the last page has no cursor', async () => {
      await seedAll();
      const p1 = await list({ limit: 3 });
      assert.equal(p1.items.length, 3);
      assert.ok(p1.nextCursor);
      assert.ok(!p1.nextCursor.includes(p1.items[2]!.id), 'the cursor is not the raw id');
      const p2 = await list({ limit: 3, cursor: p1.nextCursor });
      assert.deepEqual(p2.items.map((i) => i.spiffeId), ['spiffe://tessera.local/d']);
      assert.equal(p2.nextCursor, undefined);
      const prod1 = await list({ environment: 'prod', limit: 1 });
      const prod2 = await list({ environment: 'prod', limit: 1, cursor: prod1.nextCursor });
      assert.deepEqual([...prod1.items, ...prod2.items].map((i) => i.owner), ['team-a', 'team-b']);
      assert.equal(prod2.nextCursor, undefined);
    });

    test('limit defaults to 100', async () => {
      const many = Array.from({ length: 101 }, (_, n) => ({ spiffeId: `spiffe://tessera.local/many/${n}` }));
      for (const m of many) await createIdentity(env.deps, ctx, valid(m));
      const page = await list({});
      assert.equal(page.items.length, 100);
      assert.ok(page.nextCursor);
      assert.equal((await list({ cursor: page.nextCursor })).items.length, 1);
    });

    describe('refused list queries name the field', () => {
      const bad: [string, Record<string, unknown>, string][] = [
        ['limit 0', { limit: 0 }, 'limit'],
        ['limit 501', { limit: 501 }, 'limit'],
        ['limit 2.5', { limit: 2.5 }, 'limit'],
        ['limit as text', { limit: '10' }, 'limit'],
        ['garbage cursor', { cursor: 'not a cursor!' }, 'cursor'],
        ['base64 cursor of something else', { cursor: Buffer.from('x:1').toString('base64url') }, 'cursor'],
        ['tier 7', { tier: 7 }, 'tier'],
        ['uppercase environment', { environment: 'PROD' }, 'environment'],
        ['empty owner', { owner: '' }, 'owner'],
        ['label without "="', { labels: 'app' }, 'labels'],
        ['label with an empty key', { labels: '=x' }, 'labels'],
        ['label key with a space', { labels: 'a b=c' }, 'labels'],
        ['one label key with two values', { labels: ['app=pay', 'app=web'] }, 'labels'],
        ['unknown filter', { team: 'a' }, 'team'],
        ['includeDisabled as text', { includeDisabled: 'no' }, 'includeDisabled'],
        ['label without "=" (query name)', { label: ['app=pay', 'app'] }, 'label'],
        ['label and labels both', { label: 'a=b', labels: 'c=d' }, 'label'],
      ];
      for (const [name, q, field] of bad) {
        test(name, async () => { await assert.rejects(list(q), refused('ERR_INVALID_INPUT', field)); });
      }
    });
  });
}
