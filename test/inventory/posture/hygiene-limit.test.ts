import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openTestStore, STORE_KINDS } from '../../helpers/test-store.ts';
import type { Store } from '../../../src/store/index.ts';
import { listHygiene } from '../../../src/inventory/posture/list-hygiene.ts';
import type { Hygiene, HygieneListId } from '../../../src/inventory/posture/posture-types.ts';
import { isTesseraError } from '../../../src/shared/errors.ts';
import { NOW, daysAgo, seed, tableCounts, type Seed } from './seed.ts';

const USER = 'arn:aws:iam::222222222222:user/batch';
const K1 = `${USER}/access-key-1`;
const K2 = `${USER}/access-key-2`;
const K3 = `${USER}/access-key-3`;
const S = (n: string) => `github://acme/app/actions/secrets/${n}`;

// A limit cuts the items but never the totals, and the credentials returned still carry what
// they inherit from their identity.
const LIMIT_SEED: Seed = {
  items: [
    // its key K1 was used 10 days ago → not unused although the user row has no date
    { source: 'aws-authorization-details', nativeId: USER, category: 'identity', kind: 'user', owner: 'team-batch', environment: 'prod', tier: '1', createdAt: daysAgo(900) },
    // keys with no owner, tier or environment of their own: all inherit the user's (tier 1, limit 90);
    // K1: created 60 days ago, used 10 days ago → on no list
    { source: 'aws-credential-report', nativeId: K1, category: 'credential', kind: 'access-key', parentId: USER, longLived: true, lastUsedAt: daysAgo(10), createdAt: daysAgo(60) },
    // used 100 days ago → unused; created 120 days ago, tier 1 → rotation overdue
    { source: 'aws-credential-report', nativeId: K2, category: 'credential', kind: 'access-key', parentId: USER, longLived: true, lastUsedAt: daysAgo(100), createdAt: daysAgo(120) },
    // never used, created 200 days ago, its source records use → unused; rotation overdue
    { source: 'aws-credential-report', nativeId: K3, category: 'credential', kind: 'access-key', parentId: USER, longLived: true, createdAt: daysAgo(200) },
    // no owner and no identity → unowned (three of them); GitHub records no use, so never unused
    { source: 'github-actions-secrets', nativeId: S('A'), category: 'credential', kind: 'secret', createdAt: daysAgo(10) },
    { source: 'github-actions-secrets', nativeId: S('B'), category: 'credential', kind: 'secret', createdAt: daysAgo(10) },
    { source: 'github-actions-secrets', nativeId: S('C'), category: 'credential', kind: 'secret', createdAt: daysAgo(10) },
  ],
};

const list = (h: Hygiene, id: HygieneListId) => h.lists.find((l) => l.id === id)!;

for (const kind of STORE_KINDS) {
  describe(`listHygiene with a limit on ${kind}`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    let whole: Hygiene;
    let cut: Hygiene;
    before(async () => {
      ({ store, cleanup } = await openTestStore(kind));
      await seed(store, LIMIT_SEED);
      whole = await listHygiene(store.db, { now: NOW });
      cut = await listHygiene(store.db, { now: NOW, limit: 1 });
    });
    after(async () => { await cleanup(); });

    it('the whole lists hold the hand-counted items', () => {
      assert.deepEqual(list(whole, 'unowned').items.map((i) => i.nativeId), [S('A'), S('B'), S('C')]);
      assert.deepEqual(list(whole, 'unused').items.map((i) => i.nativeId), [K2, K3]);
      assert.deepEqual(list(whole, 'rotation-overdue').items.map((i) => i.nativeId), [K2, K3]);
      assert.deepEqual(list(whole, 'expired-active').items, []);
    });

    it('a limit keeps the exact totals and returns the first items of each whole list', () => {
      assert.deepEqual(cut.lists.map((l) => [l.id, l.total]), [
        ['unowned', 3], ['unused', 2], ['expired-active', 0], ['rotation-overdue', 2], ['shared-environments', 0],
      ]);
      for (const l of cut.lists) assert.deepEqual(l.items, list(whole, l.id).items.slice(0, 1), l.id);
    });

    it('a returned credential carries the owner, tier and environment of its identity', () => {
      const k2 = list(cut, 'rotation-overdue').items[0]!;
      assert.equal(k2.nativeId, K2);
      assert.deepEqual([k2.owner, k2.tier, k2.environment], ['team-batch', '1', 'prod']);
      assert.equal(k2.reason, 'never rotated; created 2024-09-03, 120 days ago (tier 1 limit 90 days)');
      assert.equal(list(cut, 'unused').items[0]!.reason, 'last used 2024-09-23, 100 days ago (limit 90 days)');
    });

    it('a limit that is not a whole number from 1 to 1000000 is refused naming limit, and nothing changes', async () => {
      const counts = await tableCounts(store);
      for (const limit of [0, -1, 1.5, 1_000_001, '10']) {
        await assert.rejects(listHygiene(store.db, { now: NOW, limit: limit as number }), (e: unknown) => {
          assert.ok(isTesseraError(e));
          assert.equal(e.code, 'ERR_INVALID_INPUT');
          assert.deepEqual(e.details, { field: 'limit', rule: 'positive-integer' });
          return true;
        });
      }
      assert.deepEqual(await tableCounts(store), counts);
    });
  });
}
