import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openTestStore, STORE_KINDS } from '../../helpers/test-store.ts';
import type { Store } from '../../../src/store/index.ts';
import { listHygiene } from '../../../src/inventory/posture/list-hygiene.ts';
import type { Hygiene, HygieneListId } from '../../../src/inventory/posture/posture-types.ts';
import { isTesseraError } from '../../../src/shared/errors.ts';
import { fixPlan } from '../../../src/inventory/posture/fix-plan.ts';
import { spawnSync } from 'node:child_process';
import { NOW, DAY, daysAgo, seed, tableCounts, type Seed } from './seed.ts';

const ACCT = 'arn:aws:iam::111111111111';
const I1 = `${ACCT}:user/etl-bot`;
const U2 = `${ACCT}:user/old-bot`;
const R1 = `${ACCT}:role/deployer`;
const G1 = `${ACCT}:group/admins`;
const C1 = `${I1}/access-key-1`;
const C2 = `${I1}/access-key-2`;
const C10 = `${U2}/access-key-1`;
const SA1 = 'k8s://c1/namespaces/prod/serviceaccounts/etl-worker';
const C3 = 'k8s://c1/namespaces/prod/secrets/etl-worker-token';
const GSA = 'projects/p1/serviceAccounts/etl@p1.iam.gserviceaccount.com';
const GSA2 = 'projects/p2/serviceAccounts/deployer@p2.iam.gserviceaccount.com';
const C6 = `${GSA}/keys/abc123`;
const C7 = 'github://acme/app/actions/secrets/DEPLOY_TOKEN';

// Each item's fate is written next to it; the tests below add them up per list.
const HYGIENE_SEED: Seed = {
  items: [
    // used through its key C1 10 days ago → not unused although it has no date of its own
    { source: 'aws-authorization-details', nativeId: I1, category: 'identity', kind: 'user', owner: 'team-data', environment: 'prod', tier: '1' },
    // last use = its key's, 120 days ago → unused
    { source: 'aws-authorization-details', nativeId: U2, category: 'identity', kind: 'user', owner: 'team-ops', environment: 'staging', tier: '2' },
    // last used 200 days ago → unused; name 'deployer' also in dev (GSA2) → shared
    { source: 'aws-authorization-details', nativeId: R1, category: 'identity', kind: 'role', name: 'deployer', owner: 'team-platform', environment: 'prod', tier: '1', lastUsedAt: daysAgo(200), createdAt: daysAgo(900) },
    // blank owner → unowned
    { source: 'aws-authorization-details', nativeId: G1, category: 'identity', kind: 'group', owner: '  ' },
    // no owner → unowned; workload 'etl' in prod while GSA is in staging → shared
    { source: 'kubernetes', nativeId: SA1, category: 'identity', kind: 'service-account', environment: 'prod', tier: '2', createdAt: daysAgo(500) },
    { source: 'gcp-service-accounts', nativeId: GSA, category: 'identity', kind: 'service-account', name: 'etl', owner: 'team-data', environment: 'staging', tier: '3', createdAt: daysAgo(500) },
    { source: 'gcp-service-accounts', nativeId: GSA2, category: 'identity', kind: 'service-account', name: 'deployer', owner: 'team-platform', environment: 'dev' },
    // disabled and removed rows are on no list, whatever else is wrong with them
    { source: 'gcp-service-accounts', nativeId: 'projects/p1/serviceAccounts/old@p1.iam.gserviceaccount.com', category: 'identity', kind: 'service-account', name: 'deployer', environment: 'qa', active: false, expiresAt: daysAgo(9) },
    { source: 'aws-credential-report', nativeId: `${ACCT}:user/gone/access-key-1`, category: 'credential', kind: 'static-key', longLived: true, createdAt: daysAgo(900), expiresAt: daysAgo(9), removedAt: daysAgo(1) },

    // rotated 400 days ago, tier 1 (from I1) limit 90 → rotation overdue; used 10 days ago
    { source: 'aws-credential-report', nativeId: C1, category: 'credential', kind: 'static-key', parentId: I1, longLived: true, createdAt: daysAgo(400), lastRotatedAt: daysAgo(400), lastUsedAt: daysAgo(10) },
    // never used, created 100 days ago, and the source records use → unused; 100 > 90 → overdue
    { source: 'aws-credential-report', nativeId: C2, category: 'credential', kind: 'static-key', parentId: I1, longLived: true, createdAt: daysAgo(100), lastRotatedAt: daysAgo(100) },
    // used 120 days ago → unused; rotated 130 days ago, tier 2 (from U2) limit 180 → fine
    { source: 'aws-credential-report', nativeId: C10, category: 'credential', kind: 'static-key', parentId: U2, longLived: true, createdAt: daysAgo(130), lastRotatedAt: daysAgo(130), lastUsedAt: daysAgo(120) },
    // identity SA1 has no owner → unowned; created 200 days ago, tier 2 limit 180 → overdue (migrate);
    // never used but Kubernetes records no use → not unused
    { source: 'kubernetes', nativeId: C3, category: 'credential', kind: 'token', parentId: SA1, longLived: true, createdAt: daysAgo(200) },
    // expired 5 days ago but active → expired-active
    { source: 'gcp-service-account-keys', nativeId: C6, category: 'credential', kind: 'static-key', parentId: GSA, longLived: true, createdAt: daysAgo(30), expiresAt: daysAgo(5) },
    // no owner → unowned; never rotated, created 400 days ago, no tier → default 365 → overdue
    { source: 'github-actions-secrets', nativeId: C7, category: 'credential', kind: 'secret', longLived: true, createdAt: daysAgo(400) },
    // expires in 10 days, new, owned: on no list
    { source: 'tessera', nativeId: 'tsk:key-1', category: 'credential', kind: 'static-key', owner: 'team-api', longLived: true, createdAt: daysAgo(1), expiresAt: NOW + 10 * DAY, attributes: { keyId: 'key-1' } },
    // short-lived, federated: never rotation-overdue even when old
    { source: 'tessera', nativeId: 'spiffe://tessera.local/ns/prod/sa/api#svid', category: 'credential', kind: 'short-lived-svid', owner: 'team-api', createdAt: daysAgo(800) },
  ],
  links: [{ nativeId: SA1, workload: 'etl' }, { nativeId: GSA, workload: 'etl' }],
};

const list = (h: Hygiene, id: HygieneListId) => h.lists.find((l) => l.id === id)!;
const ids = (h: Hygiene, id: HygieneListId) => list(h, id).items.map((i) => i.nativeId);

for (const kind of STORE_KINDS) {
  describe(`listHygiene on ${kind}`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    let h: Hygiene;
    before(async () => {
      ({ store, cleanup } = await openTestStore(kind));
      await seed(store, HYGIENE_SEED);
      h = await listHygiene(store.db, { now: NOW });
    });
    after(async () => { await cleanup(); });

    it('returns the five lists with their rules and the thresholds used', () => {
      assert.deepEqual(h.lists.map((l) => l.id), ['unowned', 'unused', 'expired-active', 'rotation-overdue', 'shared-environments']);
      assert.equal(h.unusedDays, 90);
      assert.deepEqual(h.rotationDays, { '1': 90, '2': 180, '3': 365, default: 365 });
      for (const l of h.lists) assert.equal(l.total, l.items.length);
    });

    it('unowned: no owner of its own nor through its identity', () => {
      // C7 (no parent), C3 (its SA has none), SA1; sorted by source then native id. G1 has a blank
      // owner too, but a group is not a principal: its members are the ones to own.
      assert.deepEqual(ids(h, 'unowned'), [C7, C3, SA1]);
      const c3 = list(h, 'unowned').items.find((i) => i.nativeId === C3)!;
      assert.equal(c3.action, 'assign-owner');
      assert.equal(c3.reason, 'no owner on the credential nor on its identity');
      assert.equal(c3.parentId, SA1);
    });

    it('unused: last use past the limit, or never used where the source records use', () => {
      // R1 (200 days), U2 (its key, 120 days), C2 (never used, created 100 days ago), C10 (120 days).
      assert.deepEqual(ids(h, 'unused'), [R1, U2, C2, C10]);
      const reasons = Object.fromEntries(list(h, 'unused').items.map((i) => [i.nativeId, i.reason]));
      assert.equal(reasons[U2], 'last used 2024-09-03, 120 days ago (limit 90 days)');
      assert.equal(reasons[C2], 'never used; created 2024-09-23, 100 days ago (limit 90 days)');
      assert.ok(list(h, 'unused').items.every((i) => i.action === 'disable'));
    });

    it('expired but active', () => {
      assert.deepEqual(ids(h, 'expired-active'), [C6]);
      assert.equal(list(h, 'expired-active').items[0]!.reason, 'expired 2024-12-27, 5 days ago, but still active');
      assert.equal(list(h, 'expired-active').items[0]!.expiresAt, daysAgo(5));
    });

    it('rotation overdue by the tier limit, the identity\'s tier for keys that have none', () => {
      // C1 (400 > 90), C2 (100 > 90), C7 (400 > default 365), C3 (200 > 180); C10 130 < 180.
      assert.deepEqual(ids(h, 'rotation-overdue'), [C1, C2, C7, C3]);
      const items = Object.fromEntries(list(h, 'rotation-overdue').items.map((i) => [i.nativeId, i]));
      assert.equal(items[C1]!.reason, 'last rotated 2023-11-28, 400 days ago (tier 1 limit 90 days)');
      assert.equal(items[C7]!.reason, 'never rotated; created 2023-11-28, 400 days ago (default limit 365 days)');
      assert.equal(items[C1]!.action, 'rotate');
      assert.equal(items[C3]!.action, 'migrate-to-federation', 'a legacy token Secret is replaced by projected tokens');
      assert.equal(items[C1]!.tier, '1');
      assert.equal(items[C1]!.owner, 'team-data');
    });

    it('shared across environments by name or by workload link', () => {
      assert.deepEqual(ids(h, 'shared-environments'), [R1, GSA, GSA2, SA1]);
      const reasons = Object.fromEntries(list(h, 'shared-environments').items.map((i) => [i.nativeId, i.reason]));
      assert.deepEqual(reasons, {
        [R1]: "name 'deployer' is used in dev, prod",
        [GSA2]: "name 'deployer' is used in dev, prod",
        [GSA]: "workload 'etl' spans prod, staging",
        [SA1]: "workload 'etl' spans prod, staging",
      });
      assert.ok(list(h, 'shared-environments').items.every((i) => i.action === 'split'));
    });

    it('the lists feed a fix plan that sh accepts, one step per item', () => {
      const items = h.lists.flatMap((l) => l.items);
      const script = fixPlan(items);
      assert.equal(script.split('\n').filter((l) => /^# \[\d+\] /.test(l)).length, items.length);
      const r = spawnSync('sh', ['-n'], { input: script, encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      // C6 is expired: its GCP key is disabled with gcloud; C3 migrates off its legacy token Secret.
      assert.ok(script.includes(`gcloud iam service-accounts keys disable 'abc123' --iam-account='etl@p1.iam.gserviceaccount.com'`));
      assert.ok(script.includes(`kubectl delete secret -n 'prod' 'etl-worker-token'`));
    });

    it('unusedDays and rotationDays override the defaults; limit cuts the items, not the totals', async () => {
      const o = await listHygiene(store.db, { now: NOW, unusedDays: 150, rotationDays: { '1': 500 }, limit: 1 });
      // Only R1 (200 days) is past 150; tier 1 at 500 days spares C1 and C2.
      assert.equal(list(o, 'unused').total, 1);
      assert.deepEqual(ids(o, 'unused'), [R1]);
      assert.equal(list(o, 'rotation-overdue').total, 2);
      assert.deepEqual(ids(o, 'rotation-overdue'), [C7]);
      assert.equal(list(o, 'unowned').total, 3);
      assert.equal(list(o, 'unowned').items.length, 1);
      assert.equal(list(o, 'shared-environments').total, 4);
      assert.deepEqual(ids(o, 'shared-environments'), [R1]);
      assert.deepEqual(o.rotationDays, { '1': 500, '2': 180, '3': 365, default: 365 });
    });

    it('bad options are refused naming the field, and nothing changes', async () => {
      const before = await tableCounts(store);
      const cases: [Record<string, unknown>, string][] = [
        [{ now: NOW, unusedDays: -1 }, 'unusedDays'],
        [{ now: NOW, unusedDays: '90' }, 'unusedDays'],
        [{ now: NOW, rotationDays: [90] }, 'rotationDays'],
        [{ now: NOW, rotationDays: { '2': 'x' } }, 'rotationDays.2'],
        [{ now: NOW, limit: 2.5 }, 'limit'],
        [{ now: NOW, groupBy: 'tier' }, 'groupBy'],
        [{ now: -5 }, 'now'],
      ];
      for (const [opts, field] of cases) {
        await assert.rejects(listHygiene(store.db, opts as never), (e: unknown) => {
          assert.ok(isTesseraError(e, 'ERR_INVALID_INPUT'), String(e));
          assert.equal(e.details?.field, field);
          return true;
        }, JSON.stringify(opts));
      }
      assert.deepEqual(await tableCounts(store), before);
    });
  });
}
