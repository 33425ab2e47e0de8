// The KeyRepo contract: the same cases run against every store implementation.
import { describe, test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { openTestStore, type StoreKind } from '../helpers/test-store.ts';
import type { Store } from '../../src/store/index.ts';
import type { KeyPurpose, KeyStatus, StoredKey } from '../../src/ca/key-repo.ts';
import { TesseraError } from '../../src/shared/errors.ts';

const T0 = 1_700_000_000_000;
let n = 0;

/**
 * A stored key with distinct, increasing creation times. The private key is an opaque
 * ciphertext string to the repo; only its "v1." format marker is checked.
 */
export function sampleKey(over: Partial<StoredKey> = {}): StoredKey {
  const i = ++n;
  return {
    kid: `kid-${String(i).padStart(4, '0')}`, purpose: 'jwt', alg: 'ES256',
    publicJwk: { kty: 'EC', crv: 'P-256', x: `x-${i}`, y: `y-${i}` },
    privateKeyEnc: `v1.iv${i}.tag${i}.ciphertext${i}`, status: 'prepared',
    createdAt: T0 + i, activatedAt: null, retiredAt: null,
    ...over,
  };
}

const isConflict = (e: unknown) => e instanceof TesseraError && e.code === 'ERR_CONFLICT';

export function keyRepoSuite(kind: StoreKind): void {
  describe(`KeyRepo on ${kind}`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    before(async () => { ({ store, cleanup } = await openTestStore(kind)); });
    after(async () => { await cleanup(); });
    // Keys are never deleted by the product, so cases reset by SQL.
    beforeEach(async () => { await store.db.run('DELETE FROM signing_keys'); });

    const insert = (k: StoredKey) => store.write((tx) => store.keys.insert(tx, k));
    const setStatus = (kid: string, status: KeyStatus, at: number) => store.write((tx) => store.keys.setStatus(tx, kid, status, at));
    const kids = async (purpose?: KeyPurpose) => (await store.keys.list(purpose)).map((k) => k.kid);
    const get = async (kid: string) => (await store.keys.list()).find((k) => k.kid === kid);

    test('insert then list returns every field', async () => {
      const prepared = sampleKey();
      const active = sampleKey({ purpose: 'x509-ca', status: 'active', activatedAt: T0 + 500 });
      const retired = sampleKey({
        alg: 'EdDSA', status: 'retired', activatedAt: T0 + 600, retiredAt: T0 + 700,
        publicJwk: { kty: 'OKP', crv: 'Ed25519', x: 'abc', kid: 'k', use: 'sig' },
      });
      for (const k of [prepared, active, retired]) await insert(k);
      assert.deepEqual(await store.keys.list(), [prepared, active, retired]);
    });

    test('list is ordered by creation time, then kid, and filters by purpose', async () => {
      const j1 = sampleKey({ kid: 'b', createdAt: T0 + 10 });
      const j2 = sampleKey({ kid: 'a', createdAt: T0 + 20 });
      const c1 = sampleKey({ kid: 'c', purpose: 'x509-ca', createdAt: T0 + 15 });
      const j3 = sampleKey({ kid: 'd', createdAt: T0 + 20 });
      for (const k of [j3, c1, j2, j1]) await insert(k);
      assert.deepEqual(await kids(), ['b', 'c', 'a', 'd']);
      assert.deepEqual(await kids('jwt'), ['b', 'a', 'd']);
      assert.deepEqual(await kids('x509-ca'), ['c']);
    });

    test('list of an empty store, or of a purpose with no keys, is empty', async () => {
      assert.deepEqual(await store.keys.list(), []);
      await insert(sampleKey({ purpose: 'jwt' }));
      assert.deepEqual(await store.keys.list('x509-ca'), []);
    });

    test('a second key with the same kid is ERR_CONFLICT and changes nothing', async () => {
      const a = sampleKey();
      await insert(a);
      await assert.rejects(insert(sampleKey({ kid: a.kid, purpose: 'x509-ca', alg: 'RS256' })), isConflict);
      assert.deepEqual(await store.keys.list(), [a]);
    });

    test('a second active key for one purpose is ERR_CONFLICT and changes nothing', async () => {
      const jwt = sampleKey({ status: 'active', activatedAt: T0 });
      const ca = sampleKey({ purpose: 'x509-ca', status: 'active', activatedAt: T0 });
      await insert(jwt);
      await insert(ca); // one active key per purpose, not overall
      const second = sampleKey({ status: 'active', activatedAt: T0 + 1 });
      await assert.rejects(insert(second), isConflict);
      assert.deepEqual(await store.keys.list(), [jwt, ca]);
    });

    test('any number of prepared and retired keys may sit beside the active one', async () => {
      const keys = [
        sampleKey({ status: 'retired', activatedAt: T0, retiredAt: T0 + 1 }),
        sampleKey({ status: 'retired', activatedAt: T0 + 1, retiredAt: T0 + 2 }),
        sampleKey({ status: 'active', activatedAt: T0 + 2 }),
        sampleKey({ status: 'prepared' }),
        sampleKey({ status: 'prepared' }),
      ];
      for (const k of keys) await insert(k);
      assert.deepEqual(await store.keys.list('jwt'), keys);
    });

    test('two servers racing to create the first active key: exactly one wins', async () => {
      const racers = Array.from({ length: 4 }, () => sampleKey({ status: 'active', activatedAt: T0 }));
      const results = await Promise.allSettled(racers.map(insert));
      const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [racers[i]!] : []));
      assert.equal(won.length, 1);
      for (const r of results) if (r.status === 'rejected') assert.ok(isConflict(r.reason));
      assert.deepEqual(await store.keys.list('jwt'), won);
    });

    test('setStatus moves a key through prepared → active → retired, stamping each step', async () => {
      const k = sampleKey();
      await insert(k);
      assert.equal(await setStatus(k.kid, 'active', T0 + 100), true);
      assert.deepEqual(await get(k.kid), { ...k, status: 'active', activatedAt: T0 + 100 });
      assert.equal(await setStatus(k.kid, 'retired', T0 + 200), true);
      assert.deepEqual(await get(k.kid), { ...k, status: 'retired', activatedAt: T0 + 100, retiredAt: T0 + 200 });
    });

    test('setStatus to prepared changes only the status', async () => {
      const k = sampleKey({ status: 'retired', activatedAt: T0 + 1, retiredAt: T0 + 2 });
      await insert(k);
      assert.equal(await setStatus(k.kid, 'prepared', T0 + 300), true);
      assert.deepEqual(await get(k.kid), { ...k, status: 'prepared' });
    });

    test('setStatus of an unknown kid returns false and changes nothing', async () => {
      const k = sampleKey({ status: 'active', activatedAt: T0 });
      await insert(k);
      assert.equal(await setStatus('no-such-kid', 'retired', T0 + 1), false);
      assert.deepEqual(await store.keys.list(), [k]);
    });

    test('rotation in one unit of work: retire the active key, then activate the prepared one', async () => {
      const old = sampleKey({ status: 'active', activatedAt: T0 });
      const next = sampleKey();
      for (const k of [old, next]) await insert(k);
      await store.write(async (tx) => {
        assert.equal(await store.keys.setStatus(tx, old.kid, 'retired', T0 + 50), true);
        assert.equal(await store.keys.setStatus(tx, next.kid, 'active', T0 + 50), true);
      });
      assert.deepEqual(await store.keys.list('jwt'), [
        { ...old, status: 'retired', retiredAt: T0 + 50 },
        { ...next, status: 'active', activatedAt: T0 + 50 },
      ]);
    });

    test('activating a second key for one purpose is refused and changes nothing', async () => {
      const active = sampleKey({ status: 'active', activatedAt: T0 });
      const prepared = sampleKey();
      for (const k of [active, prepared]) await insert(k);
      // The unique index refuses it. Unlike insert, setStatus does not map the violation to
      // ERR_CONFLICT today (key-sql.ts), so the raw driver error is accepted as well.
      await assert.rejects(setStatus(prepared.kid, 'active', T0 + 1),
        (e: unknown) => isConflict(e) || (e instanceof Error && /unique/i.test(e.message)));
      assert.deepEqual(await store.keys.list(), [active, prepared]);
    });

    test('once the active key is retired, a new active key may be inserted', async () => {
      const old = sampleKey({ status: 'active', activatedAt: T0 });
      await insert(old);
      await setStatus(old.kid, 'retired', T0 + 1);
      const fresh = sampleKey({ status: 'active', activatedAt: T0 + 2 });
      await insert(fresh);
      assert.deepEqual((await store.keys.list('jwt')).filter((k) => k.status === 'active'), [fresh]);
    });

    test('a private key that is not encrypted is refused and nothing is stored', async () => {
      await assert.rejects(insert(sampleKey({ privateKeyEnc: '-----BEGIN PRIVATE KEY-----\nMIG...' })), /not encrypted/);
      assert.deepEqual(await store.keys.list(), []);
    });

    test('writes roll back with the unit of work', async () => {
      const k = sampleKey({ status: 'active', activatedAt: T0 });
      await assert.rejects(store.write(async (tx) => { await store.keys.insert(tx, k); throw new Error('boom'); }), /boom/);
      assert.deepEqual(await store.keys.list(), []);
      await insert(k);
      await assert.rejects(store.write(async (tx) => { await store.keys.setStatus(tx, k.kid, 'retired', T0 + 9); throw new Error('boom'); }), /boom/);
      assert.deepEqual(await store.keys.list(), [k]);
    });

    test('writes outside a unit of work are refused', async () => {
      const fake = { audit() {} };
      await assert.rejects(store.keys.insert(fake, sampleKey()), /not an open store transaction/);
      assert.deepEqual(await store.keys.list(), []);
    });
  });
}
