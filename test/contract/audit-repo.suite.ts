// The AuditRepo contract (the read side of the chain): the same cases run against every store.
// One data set of 50 events is appended once; every case only reads it.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openTestStore, type StoreKind } from '../helpers/test-store.ts';
import type { Store } from '../../src/store/index.ts';
import type { AuditQuery } from '../../src/audit/audit-repo.ts';
import { GENESIS_HASH, type AuditEvent } from '../../src/audit/types.ts';
import type { AuditOutcome } from '../../src/shared/tx.ts';

const COUNT = 50;
const ACTIONS = ['test.alpha', 'test.beta', 'test.gamma'] as const;

/** What event i (seq i + 1) was written with; the expectations below are computed from it. */
interface Model { seq: number; action: string; actor: string; outcome: AuditOutcome; target: string | null; i: number }
const model: Model[] = Array.from({ length: COUNT }, (_, i) => ({
  seq: i + 1, i,
  action: ACTIONS[i % 3]!,
  actor: `actor-${i % 4}`,
  outcome: i % 5 === 0 ? 'denied' : i % 7 === 0 ? 'failure' : 'success',
  target: i % 6 === 0 ? null : `target-${i}`,
}));
const seqsWhere = (f: (m: Model) => boolean) => model.filter(f).map((m) => m.seq);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => from + k);

async function collect(it: AsyncIterable<AuditEvent>): Promise<number[]> {
  const out: number[] = [];
  for await (const e of it) out.push(e.seq);
  return out;
}

export function auditRepoSuite(kind: StoreKind): void {
  describe(`AuditRepo on ${kind}`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    let all: AuditEvent[];
    before(async () => {
      ({ store, cleanup } = await openTestStore(kind));
      // Several commits of several events each: seq order is write order, across commits too.
      for (let from = 0; from < COUNT; from += 10) {
        await store.write(async (tx) => {
          for (const m of model.slice(from, from + 10)) {
            tx.audit({ actor: { id: m.actor, roles: ['admin'] }, requestId: `req-${m.i}`, sourceIp: '192.0.2.7' },
              { action: m.action, outcome: m.outcome, target: m.target ?? undefined, details: { i: m.i, note: 'ü' } });
          }
        });
      }
      all = await store.audit.list({ limit: 1000 });
    });
    after(async () => { await cleanup(); });

    const seqs = async (q: AuditQuery) => (await store.audit.list(q)).map((e) => e.seq);

    test('a fresh store has the genesis head, no last event and nothing to list or scan', async () => {
      const fresh = await openTestStore(kind);
      try {
        assert.deepEqual(await fresh.store.audit.head(), { seq: 0, hash: GENESIS_HASH });
        assert.equal(await fresh.store.audit.last(), undefined);
        assert.deepEqual(await fresh.store.audit.list({ limit: 10 }), []);
        assert.deepEqual(await collect(fresh.store.audit.scan()), []);
      } finally {
        await fresh.cleanup();
      }
    });

    test('every event is stored with the fields it was written with, linked into one chain', () => {
      assert.equal(all.length, COUNT);
      all.forEach((e, k) => {
        const m = model[k]!;
        assert.equal(e.seq, m.seq);
        assert.equal(e.action, m.action);
        assert.equal(e.actor, m.actor);
        assert.equal(e.outcome, m.outcome);
        assert.equal(e.target, m.target);
        assert.equal(e.requestId, `req-${m.i}`);
        assert.equal(e.sourceIp, '192.0.2.7');
        assert.equal(e.details, `{"i":${m.i},"note":"ü"}`);
        assert.equal(e.prevHash, k === 0 ? GENESIS_HASH : all[k - 1]!.hash);
        assert.match(e.hash, /^[0-9a-f]{64}$/);
      });
      assert.equal(new Set(all.map((e) => e.id)).size, COUNT, 'ids are unique');
    });

    test('head and last name the newest event', async () => {
      const newest = all[COUNT - 1]!;
      assert.deepEqual(await store.audit.head(), { seq: newest.seq, hash: newest.hash });
      assert.deepEqual(await store.audit.last(), newest);
    });

    test('list without filters returns events oldest first, up to limit', async () => {
      assert.deepEqual(await store.audit.list({ limit: COUNT }), all);
      assert.deepEqual(await seqs({ limit: 3 }), [1, 2, 3]);
      assert.deepEqual(await seqs({ limit: 1 }), [1]);
      assert.deepEqual(await seqs({ limit: 0 }), []);
    });

    test('list filters by action, actor and outcome, alone and together', async () => {
      const big = 1000;
      assert.deepEqual(await seqs({ action: 'test.beta', limit: big }), seqsWhere((m) => m.action === 'test.beta'));
      assert.deepEqual(await seqs({ actor: 'actor-2', limit: big }), seqsWhere((m) => m.actor === 'actor-2'));
      assert.deepEqual(await seqs({ outcome: 'denied', limit: big }), seqsWhere((m) => m.outcome === 'denied'));
      assert.deepEqual(await seqs({ outcome: 'failure', limit: big }), seqsWhere((m) => m.outcome === 'failure'));
      const combined = seqsWhere((m) => m.action === 'test.alpha' && m.actor === 'actor-0' && m.outcome === 'denied');
      assert.ok(combined.length > 0, 'the data set has matches for the combined filter');
      assert.deepEqual(await seqs({ action: 'test.alpha', actor: 'actor-0', outcome: 'denied', limit: big }), combined);
      assert.deepEqual(await seqs({ action: 'test.alpha', actor: 'actor-0', outcome: 'failure', limit: big }),
        seqsWhere((m) => m.action === 'test.alpha' && m.actor === 'actor-0' && m.outcome === 'failure'));
    });

    test('list filters match exactly; no match is an empty list', async () => {
      assert.deepEqual(await seqs({ action: 'test', limit: 100 }), []);
      assert.deepEqual(await seqs({ action: 'TEST.ALPHA', limit: 100 }), []);
      assert.deepEqual(await seqs({ actor: 'actor-', limit: 100 }), []);
      assert.deepEqual(await seqs({ outcome: 'unknown', limit: 100 }), []);
    });

    test('afterSeq and beforeSeq bound the range, exclusively', async () => {
      assert.deepEqual(await seqs({ afterSeq: 10, limit: 5 }), [11, 12, 13, 14, 15]);
      assert.deepEqual(await seqs({ beforeSeq: 10, limit: 100 }), range(1, 9));
      assert.deepEqual(await seqs({ afterSeq: 10, beforeSeq: 15, limit: 100 }), [11, 12, 13, 14]);
      assert.deepEqual(await seqs({ afterSeq: 0, limit: 2 }), [1, 2]);
      assert.deepEqual(await seqs({ afterSeq: COUNT, limit: 100 }), []);
      assert.deepEqual(await seqs({ beforeSeq: 1, limit: 100 }), []);
      assert.deepEqual(await seqs({ afterSeq: 20, beforeSeq: 21, limit: 100 }), []);
      assert.deepEqual(await seqs({ afterSeq: 20, action: 'test.gamma', limit: 100 }), seqsWhere((m) => m.seq > 20 && m.action === 'test.gamma'));
    });

    test('newestFirst returns the newest events first, within the bounds and filters', async () => {
      assert.deepEqual(await seqs({ newestFirst: true, limit: 5 }), [50, 49, 48, 47, 46]);
      assert.deepEqual(await seqs({ newestFirst: true, beforeSeq: 20, limit: 3 }), [19, 18, 17]);
      assert.deepEqual(await seqs({ newestFirst: true, afterSeq: 45, limit: 100 }), [50, 49, 48, 47, 46]);
      assert.deepEqual(await seqs({ newestFirst: true, actor: 'actor-1', limit: 100 }), seqsWhere((m) => m.actor === 'actor-1').reverse());
      assert.deepEqual(await seqs({ newestFirst: false, limit: 2 }), [1, 2]);
    });

    test('paging backwards with newestFirst and beforeSeq visits every matching event once', async () => {
      const seen: number[] = [];
      let cursor: number | undefined;
      for (let pages = 0; pages < 100; pages++) {
        const page = await seqs({ action: 'test.beta', newestFirst: true, beforeSeq: cursor, limit: 4 });
        if (page.length === 0) break;
        assert.ok(page.length <= 4);
        seen.push(...page);
        cursor = page[page.length - 1];
      }
      assert.deepEqual(seen, seqsWhere((m) => m.action === 'test.beta').reverse());
    });

    test('paging forwards with afterSeq visits every event once', async () => {
      const seen: number[] = [];
      let from = 0;
      for (let pages = 0; pages < 100; pages++) {
        const page = await seqs({ afterSeq: from, limit: 7 });
        if (page.length === 0) break;
        seen.push(...page);
        from = page[page.length - 1]!;
      }
      assert.deepEqual(seen, range(1, COUNT));
    });

    test('scan yields every event in seq order across page boundaries', async () => {
      const events: AuditEvent[] = [];
      for await (const e of store.audit.scan(0, 7)) events.push(e);
      assert.deepEqual(events, all);
      assert.deepEqual(await collect(store.audit.scan()), range(1, COUNT));
      // Page sizes that divide the total exactly, do not, or are larger than it.
      for (const size of [1, 2, 10, 25, 49, 50, 51, 1000]) {
        assert.deepEqual(await collect(store.audit.scan(0, size)), range(1, COUNT), `pageSize ${size}`);
      }
    });

    test('scan starts after fromSeq', async () => {
      assert.deepEqual(await collect(store.audit.scan(20, 7)), range(21, COUNT));
      assert.deepEqual(await collect(store.audit.scan(43, 7)), range(44, COUNT));
      assert.deepEqual(await collect(store.audit.scan(49, 7)), [50]);
      assert.deepEqual(await collect(store.audit.scan(COUNT, 7)), []);
    });

    test('a scan stopped early yields only what was read', async () => {
      const got: number[] = [];
      for await (const e of store.audit.scan(0, 7)) {
        got.push(e.seq);
        if (got.length === 9) break;
      }
      assert.deepEqual(got, range(1, 9));
    });
  });
}
