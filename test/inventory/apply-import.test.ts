import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { applyImport } from '../../src/inventory/apply-import.ts';
import type { InventoryRecord } from '../../src/inventory/types.ts';
import { SYSTEM } from '../../src/shared/context.ts';
import { isTesseraError } from '../../src/shared/errors.ts';
import { openTestStore, STORE_KINDS } from '../helpers/test-store.ts';

const DAY = 86_400_000;
const T0 = Date.parse('2026-11-01T00:00:00Z');

function clockAt(t: number) { return { now: () => t, set(v: number) { t = v; } }; }

const key = (n: string, over: Partial<InventoryRecord> = {}): InventoryRecord => ({
  category: 'credential', kind: 'static-key', nativeId: `arn:aws:iam::111122223333:user/${n}/access-key-1`, name: `${n} key 1`,
  parentId: `arn:aws:iam::111122223333:user/${n}`, active: true, longLived: true, federated: false, createdAt: T0 - 100 * DAY, ...over,
});
const role = (n: string, privileges: InventoryRecord['privileges'] = []): InventoryRecord => ({
  category: 'identity', kind: 'role', nativeId: `arn:aws:iam::111122223333:role/${n}`, name: n, active: true, longLived: false, federated: false,
  owner: 'team-data', privileges,
});
const priv = (action: string, resource = '*') => ({ action, resource, wildcard: action.endsWith('*') || resource === '*', sensitive: true });

function runOf(records: InventoryRecord[] | (() => AsyncGenerator<InventoryRecord>)) {
  const body = JSON.stringify(typeof records === 'function' ? 'generated' : records);
  async function* gen() { yield* (typeof records === 'function' ? records() : records); }
  return { run: { records: gen(), scope: () => '111122223333' }, digest: () => createHash('sha256').update(body).digest('hex') };
}

for (const kind of STORE_KINDS) {
  describe(`applyImport on ${kind}`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    after(async () => { for (const c of cleanups) await c(); });

    async function setup() {
      const clock = clockAt(T0);
      const t = await openTestStore(kind, { clock });
      cleanups.push(t.cleanup);
      const doImport = (records: InventoryRecord[] | (() => AsyncGenerator<InventoryRecord>)) =>
        applyImport({ store: t.store, clock }, SYSTEM, { source: 'aws-authorization-details', ...runOf(records) });
      return { store: t.store, clock, doImport };
    }

    test('first import adds every record; the same export again changes nothing and writes no snapshot', async () => {
      const { store, doImport } = await setup();
      const records = [key('etl'), key('ci'), role('etl-service', [priv('s3:GetObject', 'arn:aws:s3:::data/*')])];
      const first = await doImport(records);
      assert.equal(first.duplicate, false);
      assert.deepEqual([first.import.records, first.import.added, first.import.changed, first.import.removed], [3, 3, 0, 0]);
      assert.equal(first.import.feed, 'aws-authorization-details:111122223333');
      const again = await doImport(records);
      assert.equal(again.duplicate, true);
      assert.equal(again.import.id, first.import.id);
      assert.equal((await store.inventory.listImports(10)).length, 1);
      const items = await store.inventory.listItems({}, { limit: 10 });
      assert.equal(items.length, 3);
      const events = (await store.audit.list({ limit: 100 })).filter((e) => e.action === 'inventory.import');
      assert.equal(events.length, 1);
      assert.equal(events[0]!.target, 'aws-authorization-details:111122223333');
      assert.equal(JSON.parse(events[0]!.details).added, 3);
    });

    test('a newer export records added, changed, widened, removed and expired-but-active exactly', async () => {
      const { store, clock, doImport } = await setup();
      await doImport([key('etl'), key('ci'), key('old'), role('etl-service', [priv('s3:GetObject', 'arn:aws:s3:::data/*')])]);
      clock.set(T0 + DAY);
      const second = await doImport([
        key('etl', { lastRotatedAt: T0 + DAY / 2 }),                                  // rotated: changed
        key('ci', { expiresAt: T0 + DAY / 2 }),                                        // expired, still active
        key('new'),                                                                    // added
        role('etl-service', [priv('s3:GetObject', 'arn:aws:s3:::data/*'), priv('iam:*')]), // widened
      ]);
      assert.deepEqual([second.import.added, second.import.changed, second.import.removed, second.import.unchanged], [1, 3, 1, 0]);
      assert.equal(second.widened, 1);
      assert.equal(second.expiredActive, 1);
      const changes = (await store.inventory.changesSince(T0 + 1)).map((c) => `${c.change} ${c.nativeId.split(':').at(-1)!.split('/').slice(-2).join('/')}`).sort();
      // A brand-new item has no change row: drift finds it by when it was first seen.
      assert.deepEqual((await store.inventory.firstSeenSince(T0 + 1, 10)).map((i) => i.name), ['new key 1']);
      assert.deepEqual(changes, [
        'changed ci/access-key-1',
        'changed etl/access-key-1',
        'expired-active ci/access-key-1',
        'removed old/access-key-1',
        'widened role/etl-service',
      ]);
      const rotated = (await store.inventory.changesSince(T0 + 1)).find((c) => c.change === 'changed' && c.nativeId.includes('etl/'))!;
      assert.deepEqual(rotated.fields, { lastRotatedAt: [null, T0 + DAY / 2] });
      const widened = (await store.inventory.changesSince(T0 + 1)).find((c) => c.change === 'widened')!;
      assert.deepEqual(widened.fields, { privilegesAdded: [priv('iam:*')] });
      const current = await store.inventory.listItems({}, { limit: 10 });
      assert.equal(current.length, 4);
      assert.equal((await store.inventory.listItems({ includeRemoved: true }, { limit: 10 })).length, 5);
    });

    test('a bad record deep in the export rolls the whole import back', async () => {
      const { store, doImport } = await setup();
      await doImport([key('a')]);
      async function* bad(): AsyncGenerator<InventoryRecord> {
        for (let i = 0; i < 1000; i++) yield key(`u${i}`);
        yield key('u5'); // a duplicate native id
      }
      await assert.rejects(doImport(bad), (e) => isTesseraError(e, 'ERR_INVALID_INPUT') && e.details?.rule === 'duplicate');
      const items = await store.inventory.listItems({}, { limit: 2000 });
      assert.deepEqual(items.map((i) => i.name), ['a key 1']);
      assert.equal((await store.inventory.listImports(10)).length, 1);
    });

    test('an importer error mid-stream leaves nothing half-imported', async () => {
      const { store, doImport } = await setup();
      async function* failing(): AsyncGenerator<InventoryRecord> {
        for (let i = 0; i < 500; i++) yield key(`u${i}`);
        throw new Error('truncated export');
      }
      await assert.rejects(doImport(failing), /truncated export/);
      assert.equal((await store.inventory.listItems({ includeRemoved: true }, { limit: 10 })).length, 0);
      assert.equal((await store.inventory.listImports(10)).length, 0);
      assert.deepEqual(await store.inventory.changesSince(0), []);
    });

    test('an item removed and then seen again is added again', async () => {
      const { store, clock, doImport } = await setup();
      await doImport([key('a'), key('b')]);
      clock.set(T0 + DAY);
      await doImport([key('a')]);
      clock.set(T0 + 2 * DAY);
      const third = await doImport([key('a'), key('b')]);
      assert.deepEqual([third.import.added, third.import.removed, third.import.unchanged], [1, 0, 1]);
      const b = (await store.inventory.listItems({}, { limit: 10 })).find((i) => i.name === 'b key 1')!;
      assert.equal(b.removedAt, null);
      assert.equal(b.firstSeenAt, T0);
    });
  });
}
