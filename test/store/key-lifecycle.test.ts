// The key lifecycle operations of KeyRepo (migration 0003) on both stores: compare-and-set
// transitions, one prepared key per purpose under racing servers, the new columns.
import { describe, test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { StoredKey } from '../../src/ca/key-repo.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { PG_URL, STORE_KINDS, openTestStore } from '../helpers/test-store.ts';

const T0 = 1_900_000_000_000;
let n = 0;
const k = (over: Partial<StoredKey> = {}): StoredKey => ({
  kid: `kid-${++n}-${randomBytes(3).toString('hex')}`, purpose: 'jwt', alg: 'ES256', publicJwk: { kty: 'EC' },
  privateKeyEnc: 'v1.iv.tag.ct', status: 'prepared', createdAt: T0 + n, activatedAt: null, retiredAt: null, ...over,
});

for (const kind of STORE_KINDS) {
  describe(`key lifecycle SQL on ${kind}`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    let dataDir: string;
    let schema: string | undefined;
    before(async () => { ({ store, cleanup, dataDir, schema } = await openTestStore(kind)); });
    after(async () => { await cleanup(); });
    beforeEach(async () => { await store.db.run('DELETE FROM signing_keys'); });
    const get = async (kid: string) => (await store.keys.list()).find((x) => x.kid === kid);

    test('CA keys keep their certificate, chain and validity; other keys read back without those members', async () => {
      const ca = k({ purpose: 'x509-ca', status: 'active', activatedAt: T0, certDer: randomBytes(300), chainDer: [randomBytes(200), randomBytes(100)], notBefore: T0 - 60_000, notAfter: T0 + 86_400_000 });
      const jwt = k({ status: 'active', activatedAt: T0 });
      await store.write(async (tx) => { await store.keys.insert(tx, ca); await store.keys.insert(tx, jwt); });
      assert.deepEqual(await get(ca.kid), ca);
      assert.deepEqual(await get(jwt.kid), jwt);
      const self = k({ purpose: 'x509-ca', certDer: randomBytes(10), chainDer: [] });
      await store.write((tx) => store.keys.insert(tx, self));
      assert.deepEqual((await get(self.kid))!.chainDer, []);
    });

    test('prepare inserts one prepared key per purpose; a second is refused (false) and nothing is stored', async () => {
      const first = k();
      assert.equal(await store.write((tx) => store.keys.prepare(tx, first)), true);
      assert.equal(await store.write((tx) => store.keys.prepare(tx, k())), false);
      assert.equal(await store.write((tx) => store.keys.prepare(tx, k({ purpose: 'x509-ca' }))), true, 'per purpose');
      assert.deepEqual((await store.keys.list('jwt')).map((x) => x.kid), [first.kid]);
      await assert.rejects(store.write((tx) => store.keys.prepare(tx, k({ status: 'active' }))), /prepared keys only/);
      await assert.rejects(store.write((tx) => store.keys.prepare(tx, k({ privateKeyEnc: 'PEM' }))), /not encrypted/);
    });

    test('servers racing to prepare (separate connections): exactly one key is prepared', async () => {
      const active = k({ status: 'active', activatedAt: T0 });
      await store.write((tx) => store.keys.insert(tx, active));
      const others: Store[] = [];
      for (let i = 0; i < 3; i++) others.push(kind === 'sqlite' ? await openStore({ dataDir }) : await openStore({ databaseUrl: PG_URL, schema }));
      try {
        const results = await Promise.all([store, ...others].map((s) => s.write((tx) => s.keys.prepare(tx, k()))));
        assert.equal(results.filter(Boolean).length, 1);
        assert.equal((await store.keys.list('jwt')).filter((x) => x.status === 'prepared').length, 1);
      } finally { for (const s of others) await s.close(); }
    });

    test('activate and retire are compare-and-set on the status; retire erases the private key and sets publish_until', async () => {
      const old = k({ status: 'active', activatedAt: T0 });
      const next = k();
      await store.write(async (tx) => { await store.keys.insert(tx, old); await store.keys.insert(tx, next); });
      await store.write(async (tx) => {
        assert.equal(await store.keys.retire(tx, old.kid, T0 + 10, T0 + 99), true);
        assert.equal(await store.keys.activate(tx, next.kid, T0 + 10), true);
      });
      assert.deepEqual(await get(old.kid), { ...old, status: 'retired', retiredAt: T0 + 10, publishUntil: T0 + 99, privateKeyEnc: '' });
      assert.deepEqual(await get(next.kid), { ...next, status: 'active', activatedAt: T0 + 10 });
      // A second attempt (another server, a moment later) changes nothing.
      await store.write(async (tx) => {
        assert.equal(await store.keys.retire(tx, old.kid, T0 + 20, T0 + 200), false);
        assert.equal(await store.keys.activate(tx, next.kid, T0 + 20), false);
      });
      assert.equal((await get(old.kid))!.publishUntil, T0 + 99);
      assert.equal((await get(next.kid))!.activatedAt, T0 + 10);
      assert.equal(await store.write((tx) => store.keys.activate(tx, 'no-such', T0)), false);
    });

    test('a prepared key can be withdrawn (retired from prepared), only from that status', async () => {
      const p = k();
      const a = k({ status: 'active', activatedAt: T0 });
      await store.write(async (tx) => { await store.keys.insert(tx, p); await store.keys.insert(tx, a); });
      assert.equal(await store.write((tx) => store.keys.retire(tx, a.kid, T0, T0, 'prepared')), false, 'the active key is not prepared');
      assert.equal(await store.write((tx) => store.keys.retire(tx, p.kid, T0 + 5, T0 + 5, 'prepared')), true);
      assert.equal((await get(p.kid))!.status, 'retired');
      assert.equal((await get(a.kid))!.status, 'active');
    });

    test('two servers rotating at once: only one unit of work commits', async () => {
      const old = k({ status: 'active', activatedAt: T0 });
      const next = k();
      await store.write(async (tx) => { await store.keys.insert(tx, old); await store.keys.insert(tx, next); });
      const other = kind === 'sqlite' ? await openStore({ dataDir }) : await openStore({ databaseUrl: PG_URL, schema });
      try {
        const rotate = (s: Store) => s.write(async (tx) => {
          if (!(await s.keys.retire(tx, old.kid, T0 + 1, T0 + 2))) throw new Error('lost');
          if (!(await s.keys.activate(tx, next.kid, T0 + 1))) throw new Error('lost');
        });
        const results = await Promise.allSettled([rotate(store), rotate(other)]);
        assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
        const keys = await store.keys.list('jwt');
        assert.deepEqual(keys.map((x) => x.status).sort(), ['active', 'retired']);
      } finally { await other.close(); }
    });
  });
}
