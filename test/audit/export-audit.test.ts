import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openTestStore, STORE_KINDS } from '../helpers/test-store.ts';
import type { Store } from '../../src/store/index.ts';
import { exportAudit, parseExportLine } from '../../src/audit/export-audit.ts';
import { ChainChecker } from '../../src/audit/chain-checker.ts';
import { isTesseraError } from '../../src/shared/errors.ts';
import { appendEvents, allEvents, ctxOf } from './audit-fixtures.ts';

async function collect(lines: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const l of lines) out.push(l);
  return out;
}

for (const kind of STORE_KINDS) {
  describe(`exportAudit on ${kind}`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    before(async () => {
      ({ store, cleanup } = await openTestStore(kind));
      await appendEvents(store, 2500);
      await store.write(async (tx) => tx.audit(ctxOf('bob'), { action: 'odd.details', outcome: 'failure', details: { s: 'line\nbreak "q" \u2028 é', n: -0.5, nested: { z: null, a: [] } } }));
    });
    after(async () => { await cleanup(); });

    it('exports every event as one JSON line with every chain field, time in ISO', async () => {
      const x = await exportAudit(store.audit);
      const lines = await collect(x.lines());
      assert.equal(lines.length, 2501);
      assert.ok(lines.every((l) => l.endsWith('\n') && !l.slice(0, -1).includes('\n')), 'one event per line');
      const first = JSON.parse(lines[0]!);
      assert.deepEqual(Object.keys(first).sort(), ['action', 'actor', 'details', 'hash', 'id', 'outcome', 'prevHash', 'requestId', 'seq', 'sourceIp', 'target', 'time']);
      assert.match(first.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assert.equal(typeof first.details, 'object');
      assert.deepEqual([x.events, x.firstSeq, x.lastSeq], [2501, 1, 2501]);
    });

    it('exported lines parse back to exactly the stored events, and the file verifies on its own', async () => {
      const stored = await allEvents(store);
      const parsed = (await collect((await exportAudit(store.audit)).lines())).map(parseExportLine);
      assert.deepEqual(parsed, stored);
      const checker = new ChainChecker();
      for (const e of parsed) checker.push(e);
      assert.deepEqual(checker.finish(), []);
    });

    it('exports a seq range, inclusive, which verifies from its first prevHash', async () => {
      const x = await exportAudit(store.audit, { fromSeq: 1200, toSeq: 1300 });
      const events = (await collect(x.lines())).map(parseExportLine);
      assert.deepEqual([events[0]!.seq, events.at(-1)!.seq, events.length], [1200, 1300, 101]);
      const checker = new ChainChecker({ start: { seq: 1199, hash: events[0]!.prevHash } });
      for (const e of events) checker.push(e);
      assert.deepEqual(checker.finish(), []);
    });

    it('a tampered exported line is caught by the same checker', async () => {
      const lines = await collect((await exportAudit(store.audit, { fromSeq: 1, toSeq: 10 })).lines());
      const bad = JSON.parse(lines[4]!);
      bad.details = { i: 12345 };
      lines[4] = JSON.stringify(bad);
      const checker = new ChainChecker();
      for (const l of lines) checker.push(parseExportLine(l));
      assert.deepEqual(checker.finish().map((p) => `${p.seq}:${p.kind}`), ['5:edited']);
    });

    it('fixes the end of the range when it starts: later events are not exported', async () => {
      const x = await exportAudit(store.audit, { fromSeq: 2490 });
      await appendEvents(store, 5, 'later');
      const events = (await collect(x.lines())).map(parseExportLine);
      assert.equal(events.at(-1)!.seq, 2501);
      assert.ok(events.every((e) => e.action !== 'later'));
    });

    it('an empty range yields nothing', async () => {
      const x = await exportAudit(store.audit, { fromSeq: 99_999 });
      assert.deepEqual(await collect(x.lines()), []);
      assert.equal(x.firstSeq, null);
    });

    it('refuses a range whose end is below its start, and negative or fractional seqs, naming the field', async () => {
      await assert.rejects(exportAudit(store.audit, { fromSeq: 10, toSeq: 5 }), (e) => isTesseraError(e, 'ERR_INVALID_INPUT') && e.details?.field === 'to');
      await assert.rejects(exportAudit(store.audit, { fromSeq: -1 }), (e) => isTesseraError(e, 'ERR_INVALID_INPUT') && e.details?.field === 'from');
      await assert.rejects(exportAudit(store.audit, { toSeq: 1.5 }), (e) => isTesseraError(e, 'ERR_INVALID_INPUT') && e.details?.field === 'to');
    });

    it('refuses lines that are not exported events, naming the field', () => {
      assert.throws(() => parseExportLine('{nope'), (e) => isTesseraError(e, 'ERR_INVALID_INPUT') && e.details?.field === 'line');
      assert.throws(() => parseExportLine('[]'), (e) => isTesseraError(e, 'ERR_INVALID_INPUT') && e.details?.field === 'event');
      const ok = { seq: 1, id: 'x', time: '2024-01-01T00:00:00.000Z', actor: 'a', action: 'b', target: null, outcome: 'success', requestId: null, sourceIp: null, details: {}, prevHash: 'p', hash: 'h' };
      assert.throws(() => parseExportLine(JSON.stringify({ ...ok, time: 'yesterday' })), (e) => isTesseraError(e) && e.details?.field === 'time');
      assert.throws(() => parseExportLine(JSON.stringify({ ...ok, outcome: 'meh' })), (e) => isTesseraError(e) && e.details?.field === 'outcome');
      assert.throws(() => parseExportLine(JSON.stringify({ ...ok, seq: 0 })), (e) => isTesseraError(e) && e.details?.field === 'seq');
      assert.throws(() => parseExportLine(JSON.stringify({ ...ok, actor: 5 })), (e) => isTesseraError(e) && e.details?.field === 'actor');
    });
  });
}
