// The IdentityRepo contract: the same cases run against every store implementation.
import { describe, test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { openTestStore, type StoreKind } from '../helpers/test-store.ts';
import type { Store } from '../../src/store/index.ts';
import type { Identity } from '../../src/identity/types.ts';
import { uuidv7 } from '../../src/shared/ids.ts';
import { TesseraError } from '../../src/shared/errors.ts';

let seq = 0;
/** A valid identity with distinct, increasing ids (so creation order is well defined). */
export function sampleIdentity(over: Partial<Identity> = {}): Identity {
  const n = ++seq;
  return {
    id: uuidv7(1_700_000_000_000 + n), spiffeId: `spiffe://tessera.local/ns/prod/sa/svc-${n}`,
    owner: 'team-a', environment: 'prod', tier: 1, maxTtlSeconds: 900, description: `service ${n}`, version: 1,
    labels: {}, staticException: null, bearerForbidden: false, createdAt: 1_700_000_000_000 + n, createdBy: 'admin',
    updatedAt: 1_700_000_000_000 + n, updatedBy: 'admin', disabledAt: null, disabledBy: null,
    ...over,
  };
}

export function identityRepoSuite(kind: StoreKind): void {
  describe(`IdentityRepo on ${kind}`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    before(async () => { ({ store, cleanup } = await openTestStore(kind)); });
    after(async () => { await cleanup(); });
    // Each case starts from an empty registry.
    beforeEach(async () => {
      await store.write(async (tx) => {
        for (const i of (await store.identities.list({}, { limit: 10_000 })).items) await store.identities.delete(tx, i.id);
      });
    });

    const insert = (i: Identity) => store.write((tx) => store.identities.insert(tx, i));

    test('insert then get by id and by SPIFFE ID returns every field', async () => {
      const i = sampleIdentity({
        labels: { team: 'payments', 'app.kubernetes.io/name': 'api', __proto__x: 'y' },
        staticException: { reason: 'legacy db password', expiresAt: 1_800_000_000_123 },
        description: 'quotes \' and "double" and unicode ✓',
      });
      await insert(i);
      assert.deepEqual(await store.identities.get(i.id), i);
      assert.deepEqual(await store.identities.getBySpiffeId(i.spiffeId), i);
      assert.equal(await store.identities.count(), 1);
    });

    test('bearerForbidden round-trips through insert and update', async () => {
      const i = sampleIdentity({ bearerForbidden: true });
      await insert(i);
      assert.equal((await store.identities.get(i.id))?.bearerForbidden, true);
      await store.write((tx) => store.identities.update(tx, { ...i, bearerForbidden: false }));
      assert.equal((await store.identities.get(i.id))?.bearerForbidden, false);
      const plain = sampleIdentity();
      await insert(plain);
      assert.equal((await store.identities.get(plain.id))?.bearerForbidden, false);
    });

    test('a label key "__proto__" is stored as an ordinary label', async () => {
      const labels = Object.fromEntries([['__proto__', 'p'], ['k', 'v']]) as Record<string, string>;
      const i = sampleIdentity({ labels });
      await insert(i);
      const got = await store.identities.get(i.id);
      assert.deepEqual(Object.entries(got!.labels).sort(), [['__proto__', 'p'], ['k', 'v']]);
      const found = await store.identities.list({ labels: Object.fromEntries([['__proto__', 'p']]) }, { limit: 10 });
      assert.deepEqual(found.items.map((x) => x.id), [i.id]);
    });

    test('get of an unknown id or SPIFFE ID is undefined', async () => {
      assert.equal(await store.identities.get(uuidv7()), undefined);
      assert.equal(await store.identities.getBySpiffeId('spiffe://tessera.local/none'), undefined);
    });

    test('a second insert of the same SPIFFE ID is ERR_CONFLICT and changes nothing', async () => {
      const a = sampleIdentity();
      await insert(a);
      const b = sampleIdentity({ spiffeId: a.spiffeId, environment: 'dev', labels: { x: '1' } });
      await assert.rejects(insert(b), (e: unknown) => e instanceof TesseraError && e.code === 'ERR_CONFLICT' && e.details?.field === 'spiffeId');
      assert.equal(await store.identities.count(), 1);
      assert.equal(await store.identities.get(b.id), undefined);
      assert.deepEqual((await store.identities.list({ labels: { x: '1' } }, { limit: 10 })).items, []);
    });

    test('a conflict in a group commit fails only that write', async () => {
      const a = sampleIdentity();
      await insert(a);
      const ok = sampleIdentity();
      const results = await Promise.allSettled([insert(sampleIdentity({ spiffeId: a.spiffeId })), insert(ok)]);
      assert.equal(results[0]!.status, 'rejected');
      assert.equal((results[0] as PromiseRejectedResult).reason.code, 'ERR_CONFLICT');
      assert.equal(results[1]!.status, 'fulfilled');
      assert.ok(await store.identities.get(ok.id));
    });

    test('list filters by owner, environment and tier', async () => {
      const a = sampleIdentity({ owner: 'team-a', environment: 'prod', tier: 1 });
      const b = sampleIdentity({ owner: 'team-b', environment: 'prod', tier: 2 });
      const c = sampleIdentity({ owner: 'team-a', environment: 'dev', tier: 3 });
      for (const i of [a, b, c]) await insert(i);
      const ids = async (f: Parameters<Store['identities']['list']>[0]) => (await store.identities.list(f, { limit: 100 })).items.map((i) => i.id);
      assert.deepEqual(await ids({}), [a.id, b.id, c.id]);
      assert.deepEqual(await ids({ owner: 'team-a' }), [a.id, c.id]);
      assert.deepEqual(await ids({ environment: 'prod' }), [a.id, b.id]);
      assert.deepEqual(await ids({ tier: 3 }), [c.id]);
      assert.deepEqual(await ids({ owner: 'team-a', environment: 'prod' }), [a.id]);
      assert.deepEqual(await ids({ owner: 'team-a', tier: 2 }), []);
      assert.deepEqual(await ids({ owner: 'nobody' }), []);
    });

    test('list label filters require every label to match', async () => {
      const a = sampleIdentity({ labels: { team: 'pay', region: 'eu' } });
      const b = sampleIdentity({ labels: { team: 'pay', region: 'us' } });
      const c = sampleIdentity({ labels: { team: 'ops' } });
      for (const i of [a, b, c]) await insert(i);
      const ids = async (labels: Record<string, string>) => (await store.identities.list({ labels }, { limit: 100 })).items.map((i) => i.id);
      assert.deepEqual(await ids({ team: 'pay' }), [a.id, b.id]);
      assert.deepEqual(await ids({ team: 'pay', region: 'eu' }), [a.id]);
      assert.deepEqual(await ids({ team: 'ops', region: 'eu' }), []);
      assert.deepEqual(await ids({ region: 'EU' }), [], 'values match exactly');
      assert.deepEqual(await ids({}), [a.id, b.id, c.id]);
    });

    test('list can leave out disabled identities', async () => {
      const a = sampleIdentity();
      const b = sampleIdentity({ disabledAt: 1_700_000_100_000, disabledBy: 'admin' });
      for (const i of [a, b]) await insert(i);
      assert.equal((await store.identities.list({}, { limit: 10 })).items.length, 2);
      assert.deepEqual((await store.identities.list({ includeDisabled: false }, { limit: 10 })).items.map((i) => i.id), [a.id]);
    });

    test('keyset pagination walks every page in order without repeats', async () => {
      const all: Identity[] = [];
      for (let n = 0; n < 23; n++) all.push(sampleIdentity({ environment: n % 2 ? 'dev' : 'prod' }));
      await store.write(async (tx) => { for (const i of all) await store.identities.insert(tx, i); });
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await store.identities.list({}, { limit: 5, cursor });
        assert.ok(page.items.length <= 5);
        seen.push(...page.items.map((i) => i.id));
        cursor = page.nextCursor;
        pages++;
      } while (cursor !== undefined);
      assert.equal(pages, 5);
      assert.deepEqual(seen, all.map((i) => i.id));

      const prod: string[] = [];
      cursor = undefined;
      do {
        const page = await store.identities.list({ environment: 'prod' }, { limit: 4, cursor });
        prod.push(...page.items.map((i) => i.id));
        cursor = page.nextCursor;
      } while (cursor !== undefined);
      assert.deepEqual(prod, all.filter((i) => i.environment === 'prod').map((i) => i.id));
    });

    test('a page that ends exactly at the last row has no next cursor', async () => {
      for (let n = 0; n < 4; n++) await insert(sampleIdentity());
      const first = await store.identities.list({}, { limit: 2 });
      assert.ok(first.nextCursor);
      const second = await store.identities.list({}, { limit: 2, cursor: first.nextCursor });
      assert.equal(second.items.length, 2);
      assert.equal(second.nextCursor, undefined);
    });

    test('update replaces the mutable fields and the label rows', async () => {
      const i = sampleIdentity({ labels: { team: 'pay', old: 'x' } });
      await insert(i);
      const next: Identity = {
        ...i, owner: 'team-z', tier: 2, maxTtlSeconds: 7200, description: 'changed', labels: { team: 'ops' },
        staticException: { reason: 'r', expiresAt: 1_900_000_000_000 }, updatedAt: i.updatedAt + 5, updatedBy: 'bob',
        disabledAt: i.updatedAt + 5, disabledBy: 'bob',
      };
      assert.equal(await store.write((tx) => store.identities.update(tx, next)), 2);
      assert.deepEqual(await store.identities.get(i.id), { ...next, version: 2 });
      assert.deepEqual((await store.identities.list({ labels: { old: 'x' } }, { limit: 10 })).items, []);
      assert.deepEqual((await store.identities.list({ labels: { team: 'ops' } }, { limit: 10 })).items.map((x) => x.id), [i.id]);
      const cleared: Identity = { ...next, staticException: null, disabledAt: null, disabledBy: null, labels: {}, version: 2 };
      await store.write((tx) => store.identities.update(tx, cleared));
      assert.deepEqual(await store.identities.get(i.id), { ...cleared, version: 3 });
    });

    test('update from a stale version is ERR_CONFLICT and writes nothing; markDisabled ignores versions', async () => {
      const i = sampleIdentity();
      await insert(i);
      await store.write((tx) => store.identities.update(tx, { ...i, owner: 'team-first' }));
      await assert.rejects(store.write((tx) => store.identities.update(tx, { ...i, owner: 'team-stale' })),
        (e: unknown) => e instanceof TesseraError && e.code === 'ERR_CONFLICT' && e.details?.field === 'version');
      assert.equal((await store.identities.get(i.id))!.owner, 'team-first');
      assert.equal(await store.write((tx) => store.identities.markDisabled(tx, i.id, 5, 'bob')), true);
      assert.equal(await store.write((tx) => store.identities.markDisabled(tx, i.id, 6, 'bob')), false);
      const got = (await store.identities.get(i.id))!;
      assert.deepEqual([got.disabledAt, got.disabledBy, got.version], [5, 'bob', 3]);
    });

    test('update does not change id, SPIFFE ID, environment or creation fields', async () => {
      const i = sampleIdentity();
      await insert(i);
      await store.write((tx) => store.identities.update(tx, { ...i, spiffeId: 'spiffe://tessera.local/other', environment: 'dev', createdBy: 'mallory', createdAt: 1 }));
      assert.deepEqual(await store.identities.get(i.id), { ...i, version: 2 });
    });

    test('update of an unknown id is ERR_NOT_FOUND', async () => {
      await assert.rejects(store.write((tx) => store.identities.update(tx, sampleIdentity())),
        (e: unknown) => e instanceof TesseraError && e.code === 'ERR_NOT_FOUND');
      assert.equal(await store.identities.count(), 0);
    });

    test('delete removes the identity and its labels; deleting again returns false', async () => {
      const i = sampleIdentity({ labels: { team: 'pay' } });
      await insert(i);
      assert.equal(await store.write((tx) => store.identities.delete(tx, i.id)), true);
      assert.equal(await store.identities.get(i.id), undefined);
      assert.equal(await store.identities.count(), 0);
      assert.deepEqual((await store.identities.list({ labels: { team: 'pay' } }, { limit: 10 })).items, []);
      assert.equal(await store.write((tx) => store.identities.delete(tx, i.id)), false);
      // The SPIFFE ID is free again.
      await insert(sampleIdentity({ spiffeId: i.spiffeId }));
      assert.equal(await store.identities.count(), 1);
    });

    test('writes roll back with the unit of work', async () => {
      const i = sampleIdentity({ labels: { a: 'b' } });
      await assert.rejects(store.write(async (tx) => { await store.identities.insert(tx, i); throw new Error('boom'); }), /boom/);
      assert.equal(await store.identities.get(i.id), undefined);
      assert.deepEqual((await store.identities.list({ labels: { a: 'b' } }, { limit: 10 })).items, []);
    });

    test('writes outside a unit of work are refused', async () => {
      await assert.rejects(store.identities.insert({ audit() {} }, sampleIdentity()), /not an open store transaction/);
      assert.equal(await store.identities.count(), 0);
    });
  });
}
