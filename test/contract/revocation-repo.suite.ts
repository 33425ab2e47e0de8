// The RevocationRepo and StaticKeyRepo contracts: the same cases run against every store.
import { describe, test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { openStore, type Store } from '../../src/store/index.ts';
import type { NewRevocation } from '../../src/revocation/index.ts';
import type { StaticKey } from '../../src/identity/static-keys/index.ts';
import { generateStaticKey, hashStaticKey } from '../../src/identity/static-keys/index.ts';
import { openTestStore, PG_URL, type StoreKind } from '../helpers/test-store.ts';

const T0 = 1_900_000_000_000;
let n = 0;

export function sampleRevocation(over: Partial<NewRevocation> = {}): NewRevocation {
  const i = ++n;
  return {
    id: `rev-${String(i).padStart(6, '0')}`, kind: 'jti', value: `jti-${i}`, reason: 'leaked', detectedAt: T0 - 5000,
    revokedAt: T0, expiresAt: T0 + 60_000, revokedBy: 'alice', ...over,
  };
}

export function sampleStaticKey(over: Partial<StaticKey> = {}): StaticKey {
  const i = ++n;
  const key = generateStaticKey();
  return {
    id: `key-${String(i).padStart(6, '0')}`, identityId: 'identity-1', hash: hashStaticKey(key), last4: key.slice(-4), owner: 'team-a',
    createdAt: T0 + i, createdBy: 'alice', expiresAt: T0 + 86_400_000, revokedAt: null, ...over,
  };
}

export function revocationRepoSuite(kind: StoreKind): void {
  describe(`RevocationRepo and StaticKeyRepo on ${kind}`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    let schema: string | undefined;
    let dataDir: string;
    before(async () => { ({ store, cleanup, schema, dataDir } = await openTestStore(kind)); });
    after(async () => { await cleanup(); });
    beforeEach(async () => {
      await store.db.run('DELETE FROM revocations');
      await store.db.run('DELETE FROM static_keys');
    });

    const insert = (r: NewRevocation) => store.write((tx) => store.revocations.insert(tx, r));

    test('insert hands out increasing sequence numbers and returns the stored record', async () => {
      const head = await store.revocations.headSeq();
      const a = await insert(sampleRevocation());
      const b = await insert(sampleRevocation({ kind: 'identity', value: 'spiffe://tessera.local/a' }));
      assert.equal(a.seq, head + 1);
      assert.equal(b.seq, head + 2);
      assert.equal(await store.revocations.headSeq(), head + 2);
      const [got] = await store.revocations.listSince(head, T0, 1);
      assert.deepEqual(got, a);
    });

    test('concurrent inserts in one group commit get distinct, gap-free sequence numbers', async () => {
      const head = await store.revocations.headSeq();
      const rows = await Promise.all(Array.from({ length: 20 }, () => insert(sampleRevocation())));
      assert.deepEqual(rows.map((r) => r.seq).sort((x, y) => x - y), Array.from({ length: 20 }, (_, i) => head + i + 1));
    });

    test('a failed transaction gives its sequence number back', async () => {
      const head = await store.revocations.headSeq();
      await assert.rejects(store.write(async (tx) => { await store.revocations.insert(tx, sampleRevocation()); throw new Error('boom'); }), /boom/);
      assert.equal(await store.revocations.headSeq(), head);
      assert.deepEqual(await store.revocations.listSince(head, T0, 10), []);
    });

    test('listSince returns unexpired revocations after the cursor, in order, up to the limit', async () => {
      const head = await store.revocations.headSeq();
      const a = await insert(sampleRevocation());
      await insert(sampleRevocation({ expiresAt: T0 - 1 }));
      const c = await insert(sampleRevocation());
      const d = await insert(sampleRevocation());
      assert.deepEqual((await store.revocations.listSince(head, T0, 10)).map((r) => r.id), [a.id, c.id, d.id]);
      assert.deepEqual((await store.revocations.listSince(a.seq, T0, 1)).map((r) => r.id), [c.id]);
      assert.deepEqual(await store.revocations.listSince(d.seq, T0, 10), []);
      // expiry is exclusive: at expiresAt the record is no longer in force
      assert.deepEqual((await store.revocations.listSince(head, a.expiresAt, 10)).map((r) => r.id), []);
    });

    test('findActive finds the newest unexpired revocation of a kind and value', async () => {
      await insert(sampleRevocation({ value: 'j1' }));
      const newer = await insert(sampleRevocation({ value: 'j1' }));
      await insert(sampleRevocation({ kind: 'static-key', value: 'j2' }));
      assert.equal((await store.revocations.findActive('jti', 'j1', T0))?.id, newer.id);
      assert.equal(await store.revocations.findActive('jti', 'j2', T0), undefined, 'kind must match');
      assert.equal(await store.revocations.findActive('jti', 'j1', T0 + 60_000), undefined, 'expired');
    });

    test('prune deletes expired revocations only; the sequence keeps growing', async () => {
      const head = await store.revocations.headSeq();
      await insert(sampleRevocation({ expiresAt: T0 }));
      const kept = await insert(sampleRevocation({ expiresAt: T0 + 1 }));
      assert.equal(await store.write((tx) => store.revocations.prune(tx, T0)), 1);
      assert.deepEqual((await store.revocations.listSince(0, 0, 10)).map((r) => r.id), [kept.id]);
      assert.equal((await insert(sampleRevocation())).seq, head + 3);
    });

    test('another server on the same database sees the revocation and continues the sequence', async () => {
      const other = kind === 'postgres' ? await openStore({ databaseUrl: PG_URL, schema }) : await openStore({ dataDir });
      try {
        const a = await insert(sampleRevocation());
        assert.deepEqual((await other.revocations.listSince(a.seq - 1, T0, 10)).map((r) => r.id), [a.id]);
        const b = await other.write((tx) => other.revocations.insert(tx, sampleRevocation()));
        assert.equal(b.seq, a.seq + 1);
      } finally {
        await other.close();
      }
    });

    test('static keys: insert, get by id and by hash, list per identity newest first', async () => {
      const a = sampleStaticKey();
      const b = sampleStaticKey();
      const other = sampleStaticKey({ identityId: 'identity-2' });
      await store.write(async (tx) => { for (const k of [a, b, other]) await store.staticKeys.insert(tx, k); });
      assert.deepEqual(await store.staticKeys.get(a.id), a);
      assert.deepEqual(await store.staticKeys.getByHash(b.hash), b);
      assert.equal(await store.staticKeys.get('nope'), undefined);
      assert.equal(await store.staticKeys.getByHash(hashStaticKey(generateStaticKey())), undefined);
      assert.deepEqual((await store.staticKeys.listByIdentity('identity-1', 10)).map((k) => k.id), [b.id, a.id]);
      assert.deepEqual((await store.staticKeys.listByIdentity('identity-1', 1)).map((k) => k.id), [b.id]);
    });

    test('static keys: the hash is unique', async () => {
      const a = sampleStaticKey();
      await store.write((tx) => store.staticKeys.insert(tx, a));
      await assert.rejects(store.write((tx) => store.staticKeys.insert(tx, { ...sampleStaticKey(), hash: a.hash })));
      assert.deepEqual((await store.staticKeys.listByIdentity('identity-1', 10)).map((k) => k.id), [a.id]);
    });

    test('static keys: setRevoked marks once and keeps the first time', async () => {
      const a = sampleStaticKey();
      await store.write((tx) => store.staticKeys.insert(tx, a));
      assert.equal(await store.write((tx) => store.staticKeys.setRevoked(tx, a.id, T0 + 5)), true);
      assert.equal(await store.write((tx) => store.staticKeys.setRevoked(tx, a.id, T0 + 9)), false);
      assert.equal((await store.staticKeys.get(a.id))?.revokedAt, T0 + 5);
      assert.equal(await store.write((tx) => store.staticKeys.setRevoked(tx, 'nope', T0)), false);
    });
  });
}
