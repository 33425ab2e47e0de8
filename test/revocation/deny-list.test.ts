import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fixedClock } from '../../src/shared/clock.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { createDenyList, startDenyList } from '../../src/revocation/index.ts';
import { openTestStore, PG_URL, STORE_KINDS } from '../helpers/test-store.ts';
import { sampleRevocation } from '../contract/revocation-repo.suite.ts';

const T0 = 1_900_000_000_000;
const sec = (ms: number) => Math.floor(ms / 1000);

describe('deny list (in memory)', () => {
  test('a jti is revoked until its record expires', () => {
    const clock = fixedClock(T0);
    const list = createDenyList({ repo: { listSince: async () => [] }, clock });
    assert.equal(list.isRevoked({ jti: 'j1' }), false);
    list.add({ ...sampleRevocation({ value: 'j1', expiresAt: T0 + 1000 }), seq: 1 });
    assert.equal(list.isRevoked({ jti: 'j1' }), true);
    assert.equal(list.isRevoked({ jti: 'j2' }), false);
    clock.advance(1000);
    assert.equal(list.isRevoked({ jti: 'j1' }), false);
  });

  test('an identity revocation covers its tokens issued up to the revocation (and the same second), not later ones', () => {
    const clock = fixedClock(T0 + 500);
    const list = createDenyList({ repo: { listSince: async () => [] }, clock });
    const sub = 'spiffe://tessera.local/api';
    list.add({ ...sampleRevocation({ kind: 'identity', value: sub, revokedAt: T0 + 500, expiresAt: T0 + 3_600_000 }), seq: 1 });
    assert.equal(list.isRevoked({ sub, iat: sec(T0) - 100 }), true);
    assert.equal(list.isRevoked({ sub, iat: sec(T0) }), true);
    assert.equal(list.isRevoked({ sub, iat: sec(T0) + 1 }), true, 'a mint racing the commit by under a second is covered');
    assert.equal(list.isRevoked({ sub, iat: sec(T0) + 2 }), false, 'issued after re-enabling');
    assert.equal(list.isRevoked({ sub }), true, 'a token without iat cannot prove it came later');
    assert.equal(list.isRevoked({ sub: 'spiffe://tessera.local/other', iat: sec(T0) }), false);
    clock.advance(3_600_000);
    assert.equal(list.isRevoked({ sub, iat: sec(T0) }), false, 'kept only until every token it covers has expired');
  });

  test('a static key id is revoked', () => {
    const list = createDenyList({ repo: { listSince: async () => [] }, clock: fixedClock(T0) });
    list.add({ ...sampleRevocation({ kind: 'static-key', value: 'k1' }), seq: 1 });
    assert.equal(list.isRevoked({ staticKeyId: 'k1' }), true);
    assert.equal(list.isRevoked({ jti: 'k1' }), false, 'kinds do not mix');
  });

  test('isTokenRevoked reads jti, sub and iat from a compact JWT and ignores junk', () => {
    const list = createDenyList({ repo: { listSince: async () => [] }, clock: fixedClock(T0) });
    const jwt = (claims: unknown) => `e30.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;
    assert.equal(list.isTokenRevoked(jwt({ jti: 'j1' })), false, 'empty list');
    list.add({ ...sampleRevocation({ value: 'j1' }), seq: 1 });
    assert.equal(list.isTokenRevoked(jwt({ jti: 'j1', sub: 'a', iat: sec(T0) })), true);
    assert.equal(list.isTokenRevoked(jwt({ jti: 'j2', sub: 'a', iat: sec(T0) })), false);
    for (const junk of ['', 'abc', 'a.!!!.c', `a.${Buffer.from('null').toString('base64url')}.c`, `a.${Buffer.from('"x"').toString('base64url')}.c`]) {
      assert.equal(list.isTokenRevoked(junk), false, junk);
    }
  });
});

for (const kind of STORE_KINDS) {
  describe(`deny list over the ${kind} store`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    let schema: string | undefined;
    let dataDir: string;
    before(async () => { ({ store, cleanup, schema, dataDir } = await openTestStore(kind)); });
    after(async () => { await cleanup(); });
    const clock = fixedClock(T0);

    test('loads what is in force at start, then picks up revocations another server commits', async () => {
      const before1 = await store.write((tx) => store.revocations.insert(tx, sampleRevocation({ value: 'early' })));
      await store.write((tx) => store.revocations.insert(tx, sampleRevocation({ value: 'expired', expiresAt: T0 - 1 })));
      const list = await startDenyList({ repo: store.revocations, clock, pollMs: 20 });
      const other = kind === 'postgres' ? await openStore({ databaseUrl: PG_URL, schema }) : await openStore({ dataDir });
      try {
        assert.equal(list.isRevoked({ jti: before1.value }), true);
        assert.equal(list.isRevoked({ jti: 'expired' }), false);
        assert.equal(list.size(), 1, 'expired records are not loaded');
        await other.write((tx) => other.revocations.insert(tx, sampleRevocation({ value: 'from-elsewhere' })));
        // The poller picks it up without anyone calling reload.
        for (let i = 0; i < 500 && !list.isRevoked({ jti: 'from-elsewhere' }); i++) await new Promise((r) => setTimeout(r, 10));
        assert.equal(list.isRevoked({ jti: 'from-elsewhere' }), true);
        // Many revocations (more than one page) load in order.
        await other.write(async (tx) => { for (let i = 0; i < 1200; i++) await other.revocations.insert(tx, sampleRevocation({ value: `bulk-${i}` })); });
        await list.reload();
        assert.equal(list.isRevoked({ jti: 'bulk-0' }), true);
        assert.equal(list.isRevoked({ jti: 'bulk-1199' }), true);
      } finally {
        list.close();
        await other.close();
      }
    });
  });
}
