import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openTestStore, STORE_KINDS } from '../helpers/test-store.ts';
import type { Store } from '../../src/store/index.ts';
import { sqlOf } from '../../src/store/index.ts';
import { verifyChain } from '../../src/audit/verify-chain.ts';
import { TesseraError, isTesseraError } from '../../src/shared/errors.ts';
import type { Clock } from '../../src/shared/clock.ts';
import { allEvents, ctxOf } from './audit-fixtures.ts';

// Each commit reads the clock once for its events' time, so distinct times count the commits.
const countingClock = (): Clock => { let t = 1_700_000_000_000; return { now: () => ++t }; };

for (const kind of STORE_KINDS) {
  describe(`audit append through store.write on ${kind}`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    before(async () => {
      ({ store, cleanup } = await openTestStore(kind, { clock: countingClock() }));
      await store.db.exec('CREATE TABLE scratch (k TEXT PRIMARY KEY)');
    });
    after(async () => { await cleanup(); });

    it('concurrent bursts are group-committed into one contiguous chain that verifies', async () => {
      const startSeq = (await store.audit.head()).seq;
      let writes = 0;
      for (let wave = 0; wave < 3; wave++) {
        await Promise.all(Array.from({ length: 400 }, (_, i) => {
          writes++;
          return store.write(async (tx) => {
            tx.audit(ctxOf(`w${wave}`), { action: 'burst.one', outcome: 'success', details: { wave, i } });
            if (i % 4 === 0) tx.audit(ctxOf(`w${wave}`), { action: 'burst.two', outcome: 'success', details: { wave, i } });
          });
        }));
      }
      const events = (await allEvents(store)).filter((e) => e.seq > startSeq);
      assert.equal(events.length, 3 * (400 + 100));
      events.forEach((e, i) => assert.equal(e.seq, startSeq + i + 1, 'seq is contiguous'));
      const commits = new Set(events.map((e) => e.time)).size;
      assert.ok(commits < writes / 10, `expected batching, got ${commits} commits for ${writes} writes`);
      // A job's events stay together and in the order it recorded them.
      const twos = events.filter((e) => e.action === 'burst.two');
      for (const t of twos) {
        const one = events[events.indexOf(t) - 1]!;
        assert.equal(one.action, 'burst.one');
        assert.equal(one.details, t.details);
      }
      assert.equal((await verifyChain(store.audit)).ok, true);
    });

    it('a write resolves only once its event is stored, with every field', async () => {
      await store.write(async (tx) => tx.audit(ctxOf('alice'), {
        action: 'thing.update', outcome: 'denied', target: 'spiffe://tessera.local/x', details: { b: 2, a: { d: [1, 'x'], c: true } },
      }));
      const last = (await store.audit.last())!;
      assert.equal(last.actor, 'alice');
      assert.equal(last.action, 'thing.update');
      assert.equal(last.outcome, 'denied');
      assert.equal(last.target, 'spiffe://tessera.local/x');
      assert.equal(last.requestId, 'req-alice');
      assert.equal(last.sourceIp, '127.0.0.1');
      assert.equal(last.details, '{"a":{"c":true,"d":[1,"x"]},"b":2}', 'details are canonical JSON');
      assert.equal(last.prevHash, (await store.audit.list({ limit: 1, beforeSeq: last.seq, newestFirst: true }))[0]!.hash);
    });

    it('a job failing inside a batch leaves no change and no event of its own; the others commit', async () => {
      const headBefore = (await store.audit.head()).seq;
      const results = await Promise.allSettled([
        store.write(async (tx) => { await sqlOf(tx).run('INSERT INTO scratch (k) VALUES ($1)', ['a']); tx.audit(ctxOf('a'), { action: 'job.a', outcome: 'success' }); }),
        store.write(async (tx) => {
          await sqlOf(tx).run('INSERT INTO scratch (k) VALUES ($1)', ['b']);
          tx.audit(ctxOf('b'), { action: 'job.b', outcome: 'success' });
          throw new TesseraError('ERR_CONFLICT', 'b fails after writing');
        }),
        // A failing statement (duplicate key) must not poison the transaction for the jobs after it.
        store.write(async (tx) => { tx.audit(ctxOf('d'), { action: 'job.d', outcome: 'success' }); await sqlOf(tx).run('INSERT INTO scratch (k) VALUES ($1)', ['a']); }),
        store.write(async (tx) => { await sqlOf(tx).run('INSERT INTO scratch (k) VALUES ($1)', ['c']); tx.audit(ctxOf('c'), { action: 'job.c', outcome: 'success' }); }),
      ]);
      assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'rejected', 'fulfilled']);
      assert.ok(isTesseraError((results[1] as PromiseRejectedResult).reason, 'ERR_CONFLICT'), 'the job gets its own error back');
      const keys = (await store.db.all<{ k: string }>('SELECT k FROM scratch ORDER BY k')).map((r) => r.k);
      assert.deepEqual(keys, ['a', 'c']);
      const events = await store.audit.list({ afterSeq: headBefore, limit: 10 });
      assert.deepEqual(events.map((e) => e.action), ['job.a', 'job.c']);
      assert.deepEqual(events.map((e) => e.seq), [headBefore + 1, headBefore + 2]);
      assert.equal((await verifyChain(store.audit)).ok, true);
    });

    it('statements a job issues concurrently all fall under its savepoint', async () => {
      const results = await Promise.allSettled([
        store.write(async (tx) => { await Promise.all(['e1', 'e2'].map((k) => sqlOf(tx).run('INSERT INTO scratch (k) VALUES ($1)', [k]))); throw new Error('undo both'); }),
        store.write(async (tx) => { await Promise.all(['f1', 'f2'].map((k) => sqlOf(tx).run('INSERT INTO scratch (k) VALUES ($1)', [k]))); }),
      ]);
      assert.deepEqual(results.map((r) => r.status), ['rejected', 'fulfilled']);
      const keys = (await store.db.all<{ k: string }>("SELECT k FROM scratch WHERE k LIKE 'e%' OR k LIKE 'f%' ORDER BY k")).map((r) => r.k);
      assert.deepEqual(keys, ['f1', 'f2']);
    });

    it('details that cannot be encoded fail their own job only', async () => {
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      const headBefore = (await store.audit.head()).seq;
      const results = await Promise.allSettled([
        store.write(async (tx) => tx.audit(ctxOf('x'), { action: 'ok.1', outcome: 'success' })),
        store.write(async (tx) => tx.audit(ctxOf('x'), { action: 'bad.bigint', outcome: 'success', details: { n: 1n } })),
        store.write(async (tx) => tx.audit(ctxOf('x'), { action: 'bad.cycle', outcome: 'success', details: cyclic })),
        store.write(async (tx) => tx.audit(ctxOf('x'), { action: 'ok.2', outcome: 'success', details: { when: new Date(0), f: () => 1 } })),
      ]);
      assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'rejected', 'fulfilled']);
      const events = await store.audit.list({ afterSeq: headBefore, limit: 10 });
      assert.deepEqual(events.map((e) => e.action), ['ok.1', 'ok.2']);
      assert.equal(events[1]!.details, '{"when":"1970-01-01T00:00:00.000Z"}');
    });

    it('a throwing audit listener does not keep writes from being answered', async () => {
      const seen: number[] = [];
      store.onAudit(() => { throw new Error('listener bug'); });
      store.onAudit((events) => { for (const e of events) seen.push(e.seq); });
      await store.write(async (tx) => tx.audit(ctxOf('l'), { action: 'after.listener', outcome: 'success' }));
      const last = (await store.audit.last())!;
      assert.equal(last.action, 'after.listener');
      assert.ok(seen.includes(last.seq), 'listeners after the throwing one still hear of it');
    });
  });
}
