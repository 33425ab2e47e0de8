import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openTestStore, STORE_KINDS } from '../../helpers/test-store.ts';
import type { Store } from '../../../src/store/index.ts';
import { computePosture } from '../../../src/inventory/posture/compute-posture.ts';
import type { Metric, MetricId, Posture } from '../../../src/inventory/posture/posture-types.ts';
import { isTesseraError } from '../../../src/shared/errors.ts';
import { NOW, DAY, seed, tableCounts } from './seed.ts';
import { METRICS_SEED, I1, G1, R1, R2, SA1, K8R } from './metrics-fixture.ts';

const metric = (p: Posture, id: MetricId): Metric => p.metrics.find((m) => m.id === id)!;
const groups = (m: Metric) => Object.fromEntries((m.groups ?? []).map((g) => [g.group, g.numerator === undefined ? g.value : [g.numerator, g.denominator, g.value]]));

for (const kind of STORE_KINDS) {
  describe(`computePosture on ${kind}`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    let overall: Posture;
    let byTier: Posture;
    before(async () => {
      ({ store, cleanup } = await openTestStore(kind));
      await seed(store, METRICS_SEED);
      overall = await computePosture(store.db, { now: NOW });
      byTier = await computePosture(store.db, { now: NOW, groupBy: 'tier' });
    });
    after(async () => { await cleanup(); });

    it('reports every metric in order, with its definition', () => {
      assert.deepEqual(overall.metrics.map((m) => m.id), [
        'static_credential_ratio', 'credential_half_life_days', 'ownership_coverage', 'privilege_right_sizing',
        'revocation_mttr_ms', 'blast_radius', 'exception_debt']);
      assert.equal(overall.generatedAt, NOW);
      assert.equal(overall.groupBy, null);
      for (const m of overall.metrics) {
        assert.ok(m.definition.length > 40 && m.definition.endsWith('.'), m.id);
        assert.equal(m.groups, undefined, `${m.id} has no groups without groupBy`);
      }
    });

    it('static credential ratio', () => {
      // Active current credentials: C1 C2 C3 C4 C5 C6 C7 = 7 (C8 inactive, C9 removed).
      // Long-lived among them: C1 C2 C3 C6 C7 = 5 (C4 federated role, C5 SVID) → 5 / 7.
      const m = metric(overall, 'static_credential_ratio');
      assert.equal(m.value, 5 / 7);
      assert.equal(m.unit, 'ratio');
      // Tier is the credential's own, else its identity's: C1 C2 → I1 '1', C4 → R1 '1', C3 → SA1 '2',
      // C6 → GSA '3', C5 and C7 have none. '1': C1 C2 long / C1 C2 C4 = 2/3; '2': 1/1; '3': 1/1; unset: C7 / C5 C7 = 1/2.
      assert.deepEqual(groups(metric(byTier, 'static_credential_ratio')), {
        '1': [2, 3, 2 / 3], '2': [1, 1, 1], '3': [1, 1, 1], '(unset)': [1, 2, 1 / 2],
      });
      assert.equal(metric(byTier, 'static_credential_ratio').value, 5 / 7);
    });

    it('credential half-life', () => {
      // Ages in days (now − COALESCE(last_rotated_at, created_at)): C1 400, C2 100, C3 200, C5 1, C6 30, C7 50
      // (rotated 50 days ago although created 300 ago); C4 has no date → undated = 1.
      // Sorted 1 30 50 100 200 400: n = 6, median = (50 + 100) / 2 = 75.
      const m = metric(overall, 'credential_half_life_days');
      assert.equal(m.value, 75);
      assert.equal(m.unit, 'days');
      assert.deepEqual(m.details, { dated: 6, undated: 1 });
      // '1': C1 400, C2 100 → 250; '2': C3 200; '3': C6 30; unset: C5 1, C7 50 → 25.5.
      assert.deepEqual(metric(byTier, 'credential_half_life_days').groups, [
        { group: '1', value: 250, denominator: 2 }, { group: '2', value: 200, denominator: 1 },
        { group: '3', value: 30, denominator: 1 }, { group: '(unset)', value: 25.5, denominator: 2 },
      ]);
    });

    it('ownership coverage', () => {
      // Active principals: I1 R1 R2 SA1 GSA = 5 (DIS disabled, REM removed; G1 is a group and K8R
      // a permission set: they hold privileges but never act, so they are not counted).
      // Owner and service mapping: I1 (service etl), R1 (workload link 'deploy'), R2 (service reader),
      // GSA (service etl) = 4. Not: SA1 (link but no owner).
      const m = metric(overall, 'ownership_coverage');
      assert.equal(m.value, (100 * 4) / 5);
      assert.equal(m.unit, 'percent');
      // '1': I1 R1 = 2/2; '2': R2 of R2 SA1 = 1/2; '3': GSA 1/1.
      assert.deepEqual(groups(metric(byTier, 'ownership_coverage')), {
        '1': [2, 2, 100], '2': [1, 2, 50], '3': [1, 1, 100],
      });
    });

    it('privilege right-sizing follows member-of, can-assume and bound-to edges, through a cycle', () => {
      // Wildcard reach, principals only (G1, a group, and K8R, a permission set, are passed through
      // but never counted): I1 → G1 (iam:*); R1 → R2 (s3:GetObject on *); R2 itself; SA1 → K8R
      // ('* pods'). GSA reaches only DIS (disabled) and ignores credential-of and the edge of
      // removed REM → 4 of 5.
      const m = metric(overall, 'privilege_right_sizing');
      assert.equal(m.value, 4);
      // Sensitive (action, resource) pairs reached: I1 4 (iam:* *, sts:AssumeRole, kms:Decrypt counted
      // once though R1 and R2 both hold it, s3:GetObject *); R1 3; R2 3; SA1 2.
      // Order: tier 1 (I1 4, R1 3), tier 2 (R2 3, SA1 2).
      assert.deepEqual(m.items!.map((i) => [i.nativeId, i.value]), [[I1, 4], [R1, 3], [R2, 3], [SA1, 2]]);
      assert.deepEqual(m.items![0], {
        nativeId: I1, name: 'etl-bot', source: 'aws-authorization-details', kind: 'user', owner: 'team-data', tier: '1', environment: 'prod', value: 4,
      });
      // '1': I1 R1 of 2; '2': R2 SA1 of 2; '3': none of GSA.
      assert.deepEqual(groups(metric(byTier, 'privilege_right_sizing')), {
        '1': [2, 2, 2], '2': [2, 2, 2], '3': [0, 1, 0],
      });
    });

    it('revocation MTTR, all and since a time', async () => {
      // 30 s, 60 s, 120 s, 600 s: mean = 810000 / 4 = 202500 ms; median = (60000 + 120000) / 2 = 90000.
      const m = metric(overall, 'revocation_mttr_ms');
      assert.equal(m.value, 202_500);
      assert.deepEqual(m.details, { median: 90_000, count: 4, since: null });
      // Since 5 days ago the 30 s one (10 days ago) drops: mean 780000 / 3 = 260000, median 120000.
      const since = await computePosture(store.db, { now: NOW, since: NOW - 5 * DAY });
      assert.equal(metric(since, 'revocation_mttr_ms').value, 260_000);
      assert.deepEqual(metric(since, 'revocation_mttr_ms').details, { median: 120_000, count: 3, since: NOW - 5 * DAY });
      assert.equal(metric(byTier, 'revocation_mttr_ms').groups, undefined);
    });

    it('blast radius', () => {
      // Per principal as above: I1 4, R1 3, R2 3, SA1 2, GSA 0 → max 4; top list without the zero,
      // ties by native id (role/deployer < role/reader).
      const m = metric(overall, 'blast_radius');
      assert.equal(m.value, 4);
      assert.deepEqual(m.items!.map((i) => [i.nativeId, i.value]), [[I1, 4], [R1, 3], [R2, 3], [SA1, 2]]);
      // '1': max(4, 3) = 4; '2': max(3, 2) = 3; '3': 0.
      assert.deepEqual(Object.fromEntries(metric(byTier, 'blast_radius').groups!.map((g) => [g.group, g.value])),
        { '1': 4, '2': 3, '3': 0 });
    });

    it('policy exception debt, and by owner', async () => {
      // Open: e1 (10 days old), e2 (40), e5 (4); e3 revoked, e4 expired → 3, mean (10 + 40 + 4) / 3 = 18, max 40.
      const m = metric(overall, 'exception_debt');
      assert.equal(m.value, 3);
      assert.deepEqual(m.details, { meanAgeDays: 18, maxAgeDays: 40 });
      const byOwner = metric(await computePosture(store.db, { now: NOW, groupBy: 'owner' }), 'exception_debt');
      assert.deepEqual(byOwner.groups, [{ group: 'team-data', value: 2 }, { group: 'team-platform', value: 1 }]);
      assert.equal(metric(byTier, 'exception_debt').groups, undefined, 'exceptions have no tier');
    });

    it('groups by owner use the owner a credential inherits from its identity', async () => {
      const p = await computePosture(store.db, { now: NOW, groupBy: 'owner' });
      // C1 C2 → team-data (I1), C6 → team-data (GSA), C4 → team-platform (R1), C5 team-api, C3 (SA1 has none) and C7 unset.
      assert.deepEqual(groups(metric(p, 'static_credential_ratio')), {
        'team-api': [0, 1, 0], 'team-data': [3, 3, 1], 'team-platform': [0, 1, 0], '(unset)': [2, 2, 1],
      });
    });

    it('an unknown groupBy or a bad option is refused naming the field, and nothing changes', async () => {
      const before = await tableCounts(store);
      const cases: [Record<string, unknown>, string][] = [
        [{ now: NOW, groupBy: 'team' }, 'groupBy'],
        [{ now: NOW, groupBy: '' }, 'groupBy'],
        [{ now: 'yesterday' }, 'now'],
        [{}, 'now'],
        [{ now: NOW, since: -1 }, 'since'],
        [{ now: NOW, listLimit: 0 }, 'listLimit'],
        [{ now: NOW, unusedDays: 0 }, 'unusedDays'],
        [{ now: NOW, rotationDays: { '1': -5 } }, 'rotationDays.1'],
        [{ now: NOW, groupby: 'tier' }, 'groupby'],
      ];
      for (const [opts, field] of cases) {
        await assert.rejects(computePosture(store.db, opts as never), (e: unknown) => {
          assert.ok(isTesseraError(e, 'ERR_INVALID_INPUT'), String(e));
          assert.equal(e.details?.field, field);
          assert.match(e.message, new RegExp(`^${field.replace('.', '\\.')}: `));
          return true;
        }, JSON.stringify(opts));
      }
      assert.deepEqual(await tableCounts(store), before);
    });
  });

  describe(`computePosture on ${kind}: edge cases`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    before(async () => { ({ store, cleanup } = await openTestStore(kind)); });
    after(async () => { await cleanup(); });

    it('an empty inventory gives null ratios and zero counts', async () => {
      const p = await computePosture(store.db, { now: NOW, groupBy: 'env' });
      assert.deepEqual(p.metrics.map((m) => [m.id, m.value]), [
        ['static_credential_ratio', null], ['credential_half_life_days', null], ['ownership_coverage', null],
        ['privilege_right_sizing', 0], ['revocation_mttr_ms', null], ['blast_radius', null], ['exception_debt', 0],
      ]);
      assert.deepEqual(metric(p, 'exception_debt').details, { meanAgeDays: null, maxAgeDays: null });
      for (const m of p.metrics) assert.deepEqual(m.groups ?? [], []);
    });

    it('the half-life median is exact across and within days', async () => {
      // Stamps (last rotation) at hours before NOW (midnight): ages 10, 10.5, 72 (exactly 3 days),
      // 73 and 74 hours. n = 5: the 3rd age, 72 h = 3 days. Two of them share a day, the median
      // sits alone in its day, two more share an older day.
      const H = 3_600_000;
      const key = (i: number, hours: number) => ({
        source: 'aws-credential-report', nativeId: `arn:aws:iam::333333333333:user/u${i}/access-key-1`, category: 'credential' as const,
        kind: 'static-key', longLived: true, lastRotatedAt: NOW - hours * H, createdAt: NOW - 1000 * DAY,
      });
      await seed(store, { items: [key(1, 10), key(2, 10.5), key(3, 72), key(4, 73), key(5, 74)] });
      let m = metric(await computePosture(store.db, { now: NOW }), 'credential_half_life_days');
      assert.equal(m.value, 3);
      assert.deepEqual(m.details, { dated: 5, undated: 0 });
      // n = 6 with 72.5 h: the 3rd and 4th ages, 72 h and 72.5 h, are in different days → (72 + 72.5) / 2 h.
      await seed(store, { items: [key(6, 72.5)] });
      m = metric(await computePosture(store.db, { now: NOW }), 'credential_half_life_days');
      assert.equal(m.value, (72 * H + 72.5 * H) / 2 / DAY);
      // n = 7 with 73.5 h: the 4th age, 72.5 h, in the middle of its day (72.5, 73, 73.5, 74 share it).
      await seed(store, { items: [key(7, 73.5)] });
      m = metric(await computePosture(store.db, { now: NOW }), 'credential_half_life_days');
      assert.equal(m.value, (72.5 * H) / DAY);
      // n = 8 with 73.25 h: 4th and 5th are 72.5 h and 73 h, both in that day.
      await seed(store, { items: [key(8, 73.25)] });
      m = metric(await computePosture(store.db, { now: NOW }), 'credential_half_life_days');
      assert.equal(m.value, (72.5 * H + 73 * H) / 2 / DAY);
    });

    it('the graph walk stops after 10 edges', async () => {
      // A chain of roles X0 → X1 → … → X11; only X11 holds a privilege (wildcard and sensitive).
      // X11 is 11 edges from X0 (not reached) and 10 from X1 (reached): X1…X11 reach it, X0 does not.
      const id = (i: number) => `arn:aws:iam::222222222222:role/x${i}`;
      await seed(store, {
        items: Array.from({ length: 12 }, (_, i) => ({
          source: 'aws-authorization-details', nativeId: id(i), category: 'identity' as const, kind: 'role', tier: '1',
          ...(i === 11 ? { privileges: [{ action: '*', resource: '*', wildcard: true, sensitive: true }] } : {}),
          ...(i < 11 ? { edges: [{ from: id(i), to: id(i + 1), relation: 'can-assume' as const }] } : {}),
        })),
      });
      const p = await computePosture(store.db, { now: NOW });
      const rightSizing = metric(p, 'privilege_right_sizing');
      assert.equal(rightSizing.value, 11);
      assert.deepEqual(rightSizing.details, { identities: 12, listed: 11 });
      assert.ok(!rightSizing.items!.some((i) => i.nativeId === id(0)));
      const blast = metric(p, 'blast_radius');
      assert.equal(blast.value, 1);
      // Eleven identities score 1: the top 10 by native id (x1, x10, x11, x2, … x8).
      assert.deepEqual(blast.items!.map((i) => i.nativeId), [1, 10, 11, 2, 3, 4, 5, 6, 7, 8].map(id));
    });
  });
}
