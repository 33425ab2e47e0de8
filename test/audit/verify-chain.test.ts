import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openTestStore, STORE_KINDS } from '../helpers/test-store.ts';
import type { Store } from '../../src/store/index.ts';
import { verifyChain } from '../../src/audit/verify-chain.ts';
import { hashEvent } from '../../src/audit/hash-event.ts';
import { GENESIS_HASH } from '../../src/audit/types.ts';
import { isTesseraError } from '../../src/shared/errors.ts';
import { appendEvents, allEvents, overwriteRow, swapRows, rewriteChainFrom } from './audit-fixtures.ts';

const kinds = (r: { problems: { seq: number; kind: string }[] }) => r.problems.map((p) => `${p.seq}:${p.kind}`);

for (const kind of STORE_KINDS) {
  describe(`verifyChain on ${kind}`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    // Each case gets a fresh store of 20 events; tampering must not leak between cases.
    const fresh = async () => {
      await cleanup?.();
      ({ store, cleanup } = await openTestStore(kind));
      await appendEvents(store, 20);
      return store;
    };
    before(fresh);
    after(async () => { await cleanup(); });

    it('reports an intact chain with its head', async () => {
      const s = await fresh();
      const r = await verifyChain(s.audit);
      const head = await s.audit.head();
      assert.equal(r.ok, true);
      assert.deepEqual(r.problems, []);
      assert.equal(r.events, 20);
      assert.equal(r.headSeq, 20);
      assert.equal(r.headHash, head.hash);
    });

    it('an empty log is intact at the genesis hash', async () => {
      const { store: empty, cleanup: done } = await openTestStore(kind);
      try {
        const r = await verifyChain(empty.audit, { expectHead: GENESIS_HASH });
        assert.equal(r.ok, true);
        assert.equal(r.events, 0);
        assert.equal(r.headHash, GENESIS_HASH);
      } finally { await done(); }
    });

    it('names a row whose details were edited in SQL', async () => {
      const s = await fresh();
      await s.db.run('UPDATE audit_events SET details = $1 WHERE seq = 7', ['{"i":999}']);
      const r = await verifyChain(s.audit);
      assert.equal(r.ok, false);
      assert.deepEqual(kinds(r), ['7:edited']);
      assert.match(r.problems[0]!.message, /row 7/);
    });

    it('names a row whose actor was edited in SQL', async () => {
      const s = await fresh();
      await s.db.run("UPDATE audit_events SET actor = 'someone-else' WHERE seq = 3");
      assert.deepEqual(kinds(await verifyChain(s.audit)), ['3:edited']);
    });

    it('names a row edited with its own hash recomputed (the next row no longer links to it)', async () => {
      const s = await fresh();
      const e = (await allEvents(s)).find((x) => x.seq === 5)!;
      const { hash: _h, ...rest } = { ...e, outcome: 'success' as const, target: 'forged' };
      await overwriteRow(s, { ...rest, hash: hashEvent(rest) });
      const r = await verifyChain(s.audit);
      assert.deepEqual(kinds(r), ['5:edited']);
      assert.match(r.problems[0]!.message, /recomputed/);
    });

    it('names a deleted middle row', async () => {
      const s = await fresh();
      await s.db.run('DELETE FROM audit_events WHERE seq = 10');
      const r = await verifyChain(s.audit);
      assert.deepEqual(kinds(r), ['10:deleted']);
      assert.equal(r.events, 19);
    });

    it('names a run of deleted rows', async () => {
      const s = await fresh();
      await s.db.run('DELETE FROM audit_events WHERE seq BETWEEN 10 AND 12');
      const r = await verifyChain(s.audit);
      assert.deepEqual(kinds(r), ['10:deleted']);
      assert.match(r.problems[0]!.message, /10–12/);
    });

    it('deleting the first row is caught too', async () => {
      const s = await fresh();
      await s.db.run('DELETE FROM audit_events WHERE seq = 1');
      assert.deepEqual(kinds(await verifyChain(s.audit)), ['1:deleted']);
    });

    it('deleting the newest rows shows as a head mismatch', async () => {
      const s = await fresh();
      await s.db.run('DELETE FROM audit_events WHERE seq > 17');
      const r = await verifyChain(s.audit);
      assert.deepEqual(kinds(r), ['18:head-mismatch']);
      assert.match(r.problems[0]!.message, /18–20/);
      assert.equal(r.headSeq, 17);
    });

    it('two adjacent rows swapped are reported as reordered, both of them', async () => {
      const s = await fresh();
      await swapRows(s, 5, 6);
      const r = await verifyChain(s.audit);
      assert.deepEqual(kinds(r), ['5:reordered', '6:reordered']);
      assert.match(r.problems[0]!.message, /appended as seq 6/);
      assert.match(r.problems[1]!.message, /appended as seq 5/);
    });

    it('two distant rows swapped are reported as reordered', async () => {
      const s = await fresh();
      await swapRows(s, 3, 15);
      assert.deepEqual(kinds(await verifyChain(s.audit)), ['3:reordered', '15:reordered']);
    });

    it('keeps going after the first problem and reports several kinds', async () => {
      const s = await fresh();
      await s.db.run("UPDATE audit_events SET action = 'x' WHERE seq = 2");
      await swapRows(s, 8, 9);
      await s.db.run('DELETE FROM audit_events WHERE seq = 14');
      await s.db.run('DELETE FROM audit_events WHERE seq = 20');
      const r = await verifyChain(s.audit);
      assert.deepEqual(kinds(r), ['2:edited', '8:reordered', '9:reordered', '14:deleted', '20:head-mismatch']);
      assert.equal(r.problemCount, 5);
    });

    it('bounds the list of problems but counts them all', async () => {
      const s = await fresh();
      await s.db.run("UPDATE audit_events SET actor = 'x' WHERE seq > 4");
      const r = await verifyChain(s.audit, { maxProblems: 5 });
      assert.equal(r.problems.length, 5);
      assert.equal(r.problemCount, 16);
      assert.deepEqual(r.problems.map((p) => p.seq), [5, 6, 7, 8, 9]);
    });

    it('a chain rewritten consistently, head included, passes alone but fails against a recorded head', async () => {
      const s = await fresh();
      const recorded = (await s.audit.head()).hash;
      const midway = (await allEvents(s)).find((e) => e.seq === 12)!.hash;
      assert.equal((await verifyChain(s.audit, { expectHead: recorded })).ok, true);
      await rewriteChainFrom(s, 10, (e) => ({ ...e, actor: 'mallory' }));

      const alone = await verifyChain(s.audit);
      assert.equal(alone.ok, true, 'nothing inside the database can tell');
      for (const expectHead of [recorded, midway]) {
        const r = await verifyChain(s.audit, { expectHead });
        assert.equal(r.ok, false);
        assert.deepEqual(kinds(r), ['20:head-mismatch']);
        assert.match(r.problems[0]!.message, /rewritten/);
      }
    });

    it('a head recorded earlier still verifies after the log has grown', async () => {
      const s = await fresh();
      const recorded = await s.audit.head();
      await appendEvents(s, 5);
      const r = await verifyChain(s.audit, { expectHead: recorded.hash });
      assert.equal(r.ok, true);
      assert.equal(r.expectHeadSeq, recorded.seq);
      assert.equal(r.headSeq, 25);
    });

    it('a moved head (row beyond it or hash changed) is a head mismatch', async () => {
      const s = await fresh();
      await s.db.run('UPDATE audit_head SET seq = 18 WHERE id = 1');
      assert.ok(kinds(await verifyChain(s.audit)).includes('19:head-mismatch'));
      const s2 = await fresh();
      await s2.db.run("UPDATE audit_head SET hash = $1 WHERE id = 1", ['a'.repeat(64)]);
      assert.deepEqual(kinds(await verifyChain(s2.audit)), ['20:head-mismatch']);
    });

    it('refuses a malformed expected head, naming the field', async () => {
      const s = await fresh();
      await assert.rejects(verifyChain(s.audit, { expectHead: 'not-a-hash' }),
        (e) => isTesseraError(e, 'ERR_INVALID_INPUT') && e.details?.field === 'expectHead');
    });

    it('stays intact while events are appended during the scan', async () => {
      const s = await fresh();
      const writes = appendEvents(s, 3000);
      const progress: number[] = [];
      const r = await verifyChain(s.audit, { onProgress: (seq) => progress.push(seq) });
      await writes;
      assert.equal(r.ok, true, JSON.stringify(r.problems));
      assert.ok(progress.length >= 1);
      assert.equal((await verifyChain(s.audit)).events, 3020);
    });
  });
}
