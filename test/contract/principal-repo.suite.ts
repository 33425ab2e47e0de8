// The PrincipalRepo contract: the same cases run against every store implementation.
import { describe, test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { openTestStore, type StoreKind } from '../helpers/test-store.ts';
import type { Store } from '../../src/store/index.ts';
import type { Principal } from '../../src/access/principal-repo.ts';
import type { Clock } from '../../src/shared/clock.ts';
import { SYSTEM } from '../../src/shared/context.ts';
import { TesseraError } from '../../src/shared/errors.ts';

const T0 = 1_700_000_000_000;
let n = 0;

/** A principal with a real public JWK and distinct, increasing ids. */
export function samplePrincipal(over: Partial<Principal> = {}): Principal {
  const i = ++n;
  const j = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
  return {
    id: `principal-${String(i).padStart(4, '0')}`, roles: ['admin'],
    publicJwk: { kty: 'EC', crv: 'P-256', x: j.x!, y: j.y! }, jwkThumbprint: `thumb-${i}`,
    description: `principal ${i}`, createdAt: T0 + i, createdBy: 'admin', disabledAt: null,
    ...over,
  };
}

const isConflict = (e: unknown) => e instanceof TesseraError && e.code === 'ERR_CONFLICT'
  && e.details?.field === 'id' && e.details?.rule === 'unique';

export function principalRepoSuite(kind: StoreKind): void {
  describe(`PrincipalRepo on ${kind}`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    // Every commit reads the clock once to stamp its audit events, so a ticking clock tells
    // commits apart: events with one time were committed together.
    let t = T0;
    const ticking: Clock = { now: () => ++t };
    before(async () => { ({ store, cleanup } = await openTestStore(kind, { clock: ticking })); });
    after(async () => { await cleanup(); });
    // The repo has no delete (principals are disabled, not removed), so cases reset by SQL.
    beforeEach(async () => {
      await store.db.run('DELETE FROM principals');
      await store.db.run('DELETE FROM used_assertions');
    });

    const insert = (p: Principal) => store.write((tx) => store.principals.insert(tx, p));
    const use = (jti: string, expiresAt: number) => store.write((tx) => store.principals.useAssertionId(tx, jti, expiresAt));

    test('insert then get and list return every field', async () => {
      const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' });
      const a = samplePrincipal({
        roles: ['workload', 'auditor'], disabledAt: T0 + 99,
        description: 'quotes \' and "double" and unicode ✓',
      });
      const b = samplePrincipal({
        roles: ['approver', 'admin', 'auditor', 'workload'],
        publicJwk: { kty: 'RSA', n: rsa.n!, e: rsa.e!, kid: 'k-1', use: 'sig', alg: 'RS256' },
      });
      const c = samplePrincipal({ roles: [] });
      // Inserted out of order: list is ordered by id.
      for (const p of [c, a, b]) await insert(p);
      assert.deepEqual(await store.principals.get(a.id), a);
      assert.deepEqual(await store.principals.get(b.id), b);
      assert.deepEqual(await store.principals.get(c.id), c);
      assert.deepEqual(await store.principals.list(), [a, b, c]);
    });

    test('get of an unknown id is undefined; list of an empty store is empty', async () => {
      assert.equal(await store.principals.get('nobody'), undefined);
      assert.deepEqual(await store.principals.list(), []);
    });

    test('a second insert of the same id is ERR_CONFLICT and changes nothing', async () => {
      const a = samplePrincipal({ roles: ['auditor'] });
      await insert(a);
      const b = samplePrincipal({ id: a.id, roles: ['admin'], description: 'impostor' });
      await assert.rejects(insert(b), isConflict);
      assert.deepEqual(await store.principals.list(), [a]);
    });

    test('a conflict in a group commit fails only that write', async () => {
      const a = samplePrincipal();
      await insert(a);
      const ok = samplePrincipal();
      const [dup, fine] = await Promise.allSettled([insert(samplePrincipal({ id: a.id, description: 'dup' })), insert(ok)]);
      assert.equal(dup!.status, 'rejected');
      assert.ok(isConflict((dup as PromiseRejectedResult).reason));
      assert.equal(fine!.status, 'fulfilled');
      assert.deepEqual(await store.principals.list(), [a, ok]);
    });

    test('setDisabled sets and clears disabledAt and touches only that principal', async () => {
      const a = samplePrincipal();
      const b = samplePrincipal();
      for (const p of [a, b]) await insert(p);
      assert.equal(await store.write((tx) => store.principals.setDisabled(tx, a.id, T0 + 500)), true);
      assert.deepEqual(await store.principals.get(a.id), { ...a, disabledAt: T0 + 500 });
      assert.deepEqual(await store.principals.get(b.id), b);
      assert.equal(await store.write((tx) => store.principals.setDisabled(tx, a.id, null)), true);
      assert.deepEqual(await store.principals.get(a.id), a);
    });

    test('setDisabled on an unknown id returns false and changes nothing', async () => {
      const a = samplePrincipal();
      await insert(a);
      assert.equal(await store.write((tx) => store.principals.setDisabled(tx, 'nobody', T0 + 1)), false);
      assert.deepEqual(await store.principals.list(), [a]);
    });

    test('an assertion id is accepted once; a replay is refused', async () => {
      assert.equal(await use('jti-1', T0 + 60_000), true);
      assert.equal(await use('jti-1', T0 + 60_000), false);
      assert.equal(await use('jti-1', T0 + 120_000), false, 'a different expiry does not make it new');
      assert.equal(await use('jti-2', T0 + 60_000), true);
      assert.equal(await use('JTI-1', T0 + 60_000), true, 'ids compare exactly');
    });

    test('one assertion id used twice in one unit of work: the second use is refused', async () => {
      const uses = await store.write(async (tx) => [
        await store.principals.useAssertionId(tx, 'jti-same', T0 + 60_000),
        await store.principals.useAssertionId(tx, 'jti-same', T0 + 60_000),
      ]);
      assert.deepEqual(uses, [true, false]);
    });

    test('concurrent uses of one assertion id in one group commit: exactly one succeeds', async () => {
      const headSeq = (await store.audit.head()).seq;
      const results = await Promise.all(Array.from({ length: 6 }, (_, i) => store.write(async (tx) => {
        tx.audit(SYSTEM, { action: 'test.assertion.use', outcome: 'success', details: { i } });
        return store.principals.useAssertionId(tx, 'jti-race', T0 + 60_000);
      })));
      assert.equal(results.filter((r) => r).length, 1);
      // Prove the writes really shared a commit (the savepoint path), not six commits in a row.
      const events = await store.audit.list({ afterSeq: headSeq, limit: 100 });
      assert.equal(events.length, 6);
      assert.equal(new Set(events.map((e) => e.time)).size, 1);
      assert.equal(await use('jti-race', T0 + 60_000), false);
    });

    test('an assertion id used in a unit of work that fails is not recorded', async () => {
      await assert.rejects(store.write(async (tx) => {
        assert.equal(await store.principals.useAssertionId(tx, 'jti-rolled-back', T0 + 60_000), true);
        throw new Error('boom');
      }), /boom/);
      assert.equal(await use('jti-rolled-back', T0 + 60_000), true);
    });

    test('pruneAssertionIds removes only ids that expired before now', async () => {
      for (const [jti, exp] of [['old-1', T0 + 100], ['old-2', T0 + 199], ['edge', T0 + 200], ['live', T0 + 300]] as const) {
        assert.equal(await use(jti, exp), true);
      }
      assert.equal(await store.write((tx) => store.principals.pruneAssertionIds(tx, T0 + 200)), 2);
      // Pruned ids are forgotten; an id expiring exactly now, or later, is still remembered.
      assert.equal(await use('edge', T0 + 200), false);
      assert.equal(await use('live', T0 + 300), false);
      assert.equal(await use('old-1', T0 + 100), true);
      assert.equal(await store.write((tx) => store.principals.pruneAssertionIds(tx, T0)), 0);
    });

    test('writes outside a unit of work are refused', async () => {
      const fake = { audit() {} };
      await assert.rejects(store.principals.insert(fake, samplePrincipal()), /not an open store transaction/);
      await assert.rejects(store.principals.useAssertionId(fake, 'jti-x', T0), /not an open store transaction/);
      assert.deepEqual(await store.principals.list(), []);
      assert.equal(await use('jti-x', T0), true);
    });
  });
}
