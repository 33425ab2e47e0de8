import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { STORE_KINDS } from '../../helpers/test-store.ts';
import { parseExportLine } from '../../../src/audit/export-audit.ts';
import { ChainChecker } from '../../../src/audit/chain-checker.ts';
import { appendEvents } from '../../audit/audit-fixtures.ts';

for (const kind of STORE_KINDS) {
  describe(`/v1/audit routes on ${kind}`, () => {
    let t: TestServer;
    let auditor: { authorization: string };
    let workload: { authorization: string };
    before(async () => {
      t = await startTestServer({ store: kind });
      auditor = { authorization: `Bearer ${await t.tokenFor(['auditor'], 'auditor-1')}` };
      workload = { authorization: `Bearer ${await t.tokenFor(['workload'], 'workload-1')}` };
      await appendEvents(t.store, 30, 'seeded.event');
    });
    after(async () => { await t.close(); });

    const get = (url: string, headers: Record<string, string> = auditor) => t.app.inject({ method: 'GET', url, headers });
    const last = async () => (await t.store.audit.last())!;

    it('every audit route needs admin or auditor', () => {
      const mine = t.routes.filter((r) => r.url.startsWith('/v1/audit'));
      assert.deepEqual(mine.map((r) => `${r.method} ${r.url}`).sort(), ['GET /v1/audit', 'GET /v1/audit/export', 'GET /v1/audit/verify']);
      for (const r of mine) assert.deepEqual([...r.auth].sort(), ['admin', 'auditor']);
    });

    it('an auditor reads the log newest first, with a cursor to the next page', async () => {
      const res = await get('/v1/audit?limit=5');
      assert.equal(res.statusCode, 200);
      const body = res.json();
      const head = (await t.store.audit.head()).seq;
      assert.deepEqual(body.items.map((e: { seq: number }) => e.seq), [head, head - 1, head - 2, head - 3, head - 4]);
      assert.equal(body.nextCursor, head - 4);
      assert.match(body.items[0].time, /Z$/);
      const next = (await get(`/v1/audit?limit=5&before=${body.nextCursor}`)).json();
      assert.equal(next.items[0].seq, head - 5);
    });

    it('filters by action, actor and outcome, and reads oldest first after a seq', async () => {
      const body = (await get('/v1/audit?action=seeded.event&actor=actor-0&outcome=denied&limit=1000')).json();
      assert.ok(body.items.length > 0);
      for (const e of body.items) assert.deepEqual([e.action, e.actor, e.outcome], ['seeded.event', 'actor-0', 'denied']);
      assert.equal(body.nextCursor, null);
      const asc = (await get('/v1/audit?order=asc&after=3&limit=2')).json();
      assert.deepEqual(asc.items.map((e: { seq: number }) => e.seq), [4, 5]);
      assert.equal(asc.nextCursor, 5);
    });

    it('a workload token is refused with 403 and the refusal is audited; no token is 401', async () => {
      for (const url of ['/v1/audit', '/v1/audit/verify', '/v1/audit/export']) {
        const headBefore = (await t.store.audit.head()).seq;
        const res = await get(url, workload);
        assert.equal(res.statusCode, 403, url);
        assert.equal(res.json().code, 'ERR_FORBIDDEN');
        const e = await last();
        assert.equal(e.seq, headBefore + 1);
        assert.deepEqual([e.action, e.outcome], ['auth.forbidden', 'denied']);
        assert.equal((await get(url, {})).statusCode, 401);
      }
    });

    it('bad query parameters are 400 with the field named, and record nothing', async () => {
      const cases: [string, string][] = [
        ['/v1/audit?limit=0', 'limit'], ['/v1/audit?limit=1001', 'limit'], ['/v1/audit?limit=ten', 'limit'],
        ['/v1/audit?after=-1', 'after'], ['/v1/audit?outcome=maybe', 'outcome'], ['/v1/audit?order=sideways', 'order'],
        ['/v1/audit?colour=red', 'colour'], ['/v1/audit/verify?expectHead=abc', 'expectHead'],
        ['/v1/audit/export?from=x', 'from'], ['/v1/audit/export?from=10&to=5', 'to'], ['/v1/audit/export?format=csv', 'format'],
      ];
      for (const [url, field] of cases) {
        const headBefore = (await t.store.audit.head()).seq;
        const res = await get(url);
        assert.equal(res.statusCode, 400, url);
        assert.equal(res.json().code, 'ERR_INVALID_INPUT', url);
        assert.equal(res.json().field, field, url);
        assert.equal((await t.store.audit.head()).seq, headBefore, `${url} changed nothing`);
      }
    });

    it('verify answers the chain state and is itself audited', async () => {
      const res = await get('/v1/audit/verify');
      assert.equal(res.statusCode, 200);
      const body = res.json();
      assert.equal(body.ok, true);
      assert.deepEqual(body.problems, []);
      const e = await last();
      assert.deepEqual([e.action, e.outcome, e.actor], ['audit.verify', 'success', 'auditor-1']);
      assert.equal(JSON.parse(e.details).headSeq, body.headSeq);
      assert.equal(e.seq, body.headSeq + 1);

      const withHead = (await get(`/v1/audit/verify?expectHead=${body.headHash}`)).json();
      assert.equal(withHead.ok, true);
      assert.equal(withHead.expectHeadSeq, body.headSeq);
    });

    it('exports NDJSON that parses and verifies, and records who exported what', async () => {
      const res = await get('/v1/audit/export?from=2&to=20');
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /^application\/x-ndjson/);
      const lines = res.body.split('\n').filter(Boolean);
      const events = lines.map(parseExportLine);
      assert.deepEqual([events[0]!.seq, events.at(-1)!.seq, events.length], [2, 20, 19]);
      const checker = new ChainChecker({ start: { seq: 1, hash: events[0]!.prevHash } });
      for (const e of events) checker.push(e);
      assert.deepEqual(checker.finish(), []);
      const e = await last();
      assert.deepEqual([e.action, e.outcome, e.actor], ['audit.export', 'success', 'auditor-1']);
      assert.deepEqual(JSON.parse(e.details), { fromSeq: 2, toSeq: 20, events: 19, firstSeq: 2, lastSeq: 20 });
    });

    it('a full export ends at the head as it was, before its own audit event', async () => {
      const head = (await t.store.audit.head()).seq;
      const res = await get('/v1/audit/export');
      const events = res.body.split('\n').filter(Boolean).map(parseExportLine);
      assert.equal(events.length, head);
      assert.equal(events.at(-1)!.seq, head);
      assert.equal((await last()).seq, head + 1);
    });

    it('a tampered chain verifies as broken (200, ok false), naming the row, and that is audited as a failure', async () => {
      await t.store.db.run("UPDATE audit_events SET actor = 'mallory' WHERE seq = 4");
      const res = await get('/v1/audit/verify');
      assert.equal(res.statusCode, 200);
      const body = res.json();
      assert.equal(body.ok, false);
      assert.deepEqual(body.problems.map((p: { seq: number; kind: string }) => [p.seq, p.kind]), [[4, 'edited']]);
      const e = await last();
      assert.deepEqual([e.action, e.outcome], ['audit.verify', 'failure']);
      assert.equal(JSON.parse(e.details).problemCount, 1);
    });
  });
}
