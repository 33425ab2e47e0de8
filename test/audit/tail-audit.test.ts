import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openTestStore, STORE_KINDS } from '../helpers/test-store.ts';
import type { Store } from '../../src/store/index.ts';
import { tailAudit, followAudit } from '../../src/audit/tail-audit.ts';
import { listAudit } from '../../src/audit/list-audit.ts';
import type { AuditEvent } from '../../src/audit/types.ts';
import type { AuditOutcome } from '../../src/shared/tx.ts';
import { isTesseraError } from '../../src/shared/errors.ts';
import { appendEvents, ctxOf } from './audit-fixtures.ts';

const invalidField = (field: string) => (e: unknown) => isTesseraError(e, 'ERR_INVALID_INPUT') && e.details?.field === field;

for (const kind of STORE_KINDS) {
  describe(`tail, list and follow on ${kind}`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    before(async () => {
      ({ store, cleanup } = await openTestStore(kind));
      await appendEvents(store, 50); // actors actor-0..2, every 5th denied
    });
    after(async () => { await cleanup(); });

    it('tail gives the newest N events, oldest first', async () => {
      const t = await tailAudit(store.audit, { limit: 5 });
      assert.deepEqual(t.map((e) => e.seq), [46, 47, 48, 49, 50]);
    });

    it('tail filters by action, actor and outcome together', async () => {
      const t = await tailAudit(store.audit, { limit: 100, actor: 'actor-0', outcome: 'denied', action: 'test.event' });
      // i % 3 === 0 and i % 5 === 0 → i in {0, 15, 30, 45} → seq i + 1
      assert.deepEqual(t.map((e) => e.seq), [1, 16, 31, 46]);
      assert.deepEqual(await tailAudit(store.audit, { action: 'no.such' }), []);
    });

    it('tail and list refuse a bad limit or outcome, naming the field', async () => {
      for (const limit of [0, 1001, 2.5]) await assert.rejects(tailAudit(store.audit, { limit }), invalidField('limit'));
      await assert.rejects(tailAudit(store.audit, { outcome: 'meh' as AuditOutcome }), invalidField('outcome'));
      await assert.rejects(listAudit(store.audit, { after: -1 }), invalidField('after'));
      await assert.rejects(listAudit(store.audit, { before: 1.5 }), invalidField('before'));
    });

    it('lists newest first by default and pages with nextCursor as `before`', async () => {
      const seen: number[] = [];
      let cursor: number | null | undefined;
      do {
        const page = await listAudit(store.audit, { limit: 20, before: cursor ?? undefined });
        seen.push(...page.items.map((e) => e.seq));
        cursor = page.nextCursor;
      } while (cursor !== null);
      assert.deepEqual(seen, Array.from({ length: 50 }, (_, i) => 50 - i));
    });

    it('lists oldest first with order asc and pages with nextCursor as `after`', async () => {
      const p1 = await listAudit(store.audit, { limit: 30, order: 'asc', after: 10 });
      assert.deepEqual([p1.items[0]!.seq, p1.items.at(-1)!.seq, p1.nextCursor], [11, 40, 40]);
      const p2 = await listAudit(store.audit, { limit: 30, order: 'asc', after: p1.nextCursor! });
      assert.deepEqual([p2.items[0]!.seq, p2.items.length, p2.nextCursor], [41, 10, null]);
    });

    it('an exactly full last page says there is no next one', async () => {
      const p = await listAudit(store.audit, { limit: 10, after: 40, order: 'asc' });
      assert.equal(p.items.length, 10);
      assert.equal(p.nextCursor, null);
    });

    it('follow yields new events as they are appended, filtered, until aborted', async () => {
      const stop = new AbortController();
      const got: AuditEvent[] = [];
      const following = (async () => {
        for await (const e of followAudit(store.audit, { afterSeq: 50, intervalMs: 20, signal: stop.signal, action: 'follow.me' })) {
          got.push(e);
          if (got.length === 3) stop.abort();
        }
      })();
      for (const action of ['follow.me', 'ignore.me', 'follow.me', 'follow.me', 'follow.me']) {
        await store.write(async (tx) => tx.audit(ctxOf('f'), { action, outcome: 'success' }));
      }
      await following;
      assert.deepEqual(got.map((e) => e.action), ['follow.me', 'follow.me', 'follow.me']);
      assert.deepEqual(got.map((e) => e.seq), [51, 53, 54]);
    });

    it('follow stops promptly when aborted while waiting', async () => {
      const stop = new AbortController();
      const it = followAudit(store.audit, { afterSeq: 1e9, intervalMs: 60_000, signal: stop.signal });
      const next = it.next();
      setTimeout(() => stop.abort(), 20);
      assert.deepEqual(await next, { value: undefined, done: true });
    });
  });
}
