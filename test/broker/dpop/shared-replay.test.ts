// The replay check across servers sharing one PostgreSQL store (RFC 9449 §11.1): each runtime keeps
// its own memory, the store remembers for all of them; on SQLite nothing is written.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as dpop from 'dpop';
import { fixedClock } from '../../../src/shared/clock.ts';
import { TesseraError } from '../../../src/shared/errors.ts';
import { openStore, type Store } from '../../../src/store/index.ts';
import { createDpopRuntime, dpopProofHash } from '../../../src/broker/dpop/index.ts';
import { PG_URL, STORE_KINDS, openTestStore } from '../../helpers/test-store.ts';
import { HTU, handProof } from './proof-fixtures.ts';

async function rejects(p: Promise<unknown>, code: string, rule: string): Promise<void> {
  let caught: unknown;
  try { await p; } catch (e) { caught = e; }
  assert.ok(caught instanceof TesseraError, `expected a TesseraError, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  assert.equal(caught.details?.rule, rule, caught.message);
}

const rows = async (store: Store) => (await store.db.all<{ proof_hash: string; expires_at: number | string }>(
  'SELECT proof_hash, expires_at FROM dpop_proofs ORDER BY expires_at')).map((r) => ({ hash: r.proof_hash, expiresAt: Number(r.expires_at) }));
const jtiOf = (proof: string) => (JSON.parse(Buffer.from(proof.split('.')[1]!, 'base64url').toString()) as { jti: string }).jti;

describe('DpopProofRepo', () => {
  for (const kind of STORE_KINDS) {
    describe(`on ${kind}`, () => {
      let store: Store;
      let cleanup: () => Promise<void>;
      before(async () => { ({ store, cleanup } = await openTestStore(kind)); });
      after(async () => { await cleanup?.(); });

      test('remember is true once, then false for the same hash; prune deletes only expired records', async () => {
        assert.equal(await store.write((tx) => store.dpopProofs.remember(tx, 'h1', 1_000)), true);
        assert.equal(await store.write((tx) => store.dpopProofs.remember(tx, 'h1', 9_000)), false);
        assert.equal(await store.write((tx) => store.dpopProofs.remember(tx, 'h2', 5_000)), true);
        // The refused second remember did not extend the first record.
        assert.deepEqual(await rows(store), [{ hash: 'h1', expiresAt: 1_000 }, { hash: 'h2', expiresAt: 5_000 }]);
        assert.equal(await store.write((tx) => store.dpopProofs.prune(tx, 1_000)), 1);
        assert.deepEqual(await rows(store), [{ hash: 'h2', expiresAt: 5_000 }]);
        assert.equal(await store.write((tx) => store.dpopProofs.prune(tx, 1_000)), 0);
      });
    });
  }
});

describe('DPoP runtimes of two servers on one PostgreSQL store', () => {
  let a: Store;
  let b: Store;
  let cleanup: () => Promise<void>;
  const clock = fixedClock(Date.now());
  const iat = () => Math.floor(clock.now() / 1000);
  before(async () => {
    let schema: string | undefined;
    ({ store: a, schema, cleanup } = await openTestStore('postgres', { clock }));
    b = await openStore({ databaseUrl: PG_URL, schema, clock });
  });
  after(async () => { await b?.close(); await cleanup?.(); });

  test('a proof accepted by one server is refused by the other; a fresh proof is accepted', async () => {
    const rtA = createDpopRuntime(clock, {}, { store: a });
    const rtB = createDpopRuntime(clock, {}, { store: b });
    try {
      assert.ok(rtA.shared && rtB.shared);
      const keys = await dpop.generateKeyPair('ES256');
      const jkt = await dpop.calculateThumbprint(keys.publicKey);
      const proof = await dpop.generateProof(keys, HTU, 'POST');
      assert.equal((await rtA.verify({ proof, htm: 'POST', htu: HTU }))?.jkt, jkt);
      const before = await rows(a);
      await rejects(rtB.verify({ proof, htm: 'POST', htu: HTU }), 'ERR_INVALID_DPOP_PROOF', 'replay');
      assert.deepEqual(await rows(a), before, 'a refused replay records nothing');
      // Only the hash of (jkt, jti) is stored, never the proof or its jti.
      const stored = before.find((r) => r.hash === dpopProofHash(jkt, jtiOf(proof)));
      assert.ok(stored);
      assert.ok(!stored.hash.includes(jtiOf(proof)));
      assert.ok(stored.expiresAt > clock.now());
      const fresh = await dpop.generateProof(keys, HTU, 'POST');
      assert.equal((await rtB.verify({ proof: fresh, htm: 'POST', htu: HTU }))?.jkt, jkt);
      await rejects(rtA.verify({ proof: fresh, htm: 'POST', htu: HTU }), 'ERR_INVALID_DPOP_PROOF', 'replay');
    } finally {
      rtA.close(); rtB.close();
    }
  });

  test('a proof refused for another reason is not recorded and stays usable', async () => {
    const rt = createDpopRuntime(clock, {}, { store: a });
    try {
      const proof = handProof({ claims: { iat: iat() } });
      const before = await rows(a);
      await rejects(rt.verify({ proof, htm: 'GET', htu: HTU }), 'ERR_INVALID_DPOP_PROOF', 'htm');
      assert.deepEqual(await rows(a), before);
      assert.ok(await rt.verify({ proof, htm: 'POST', htu: HTU }));
      assert.equal((await rows(a)).length, before.length + 1);
    } finally {
      rt.close();
    }
  });

  test('prune deletes records only once their proofs could no longer pass the iat check', async () => {
    const rt = createDpopRuntime(clock, {}, { store: a });
    const other = createDpopRuntime(clock, {}, { store: b });
    try {
      const old = handProof({ claims: { iat: iat() } });
      assert.ok(await rt.verify({ proof: old, htm: 'POST', htu: HTU }));
      clock.advance(200_000);
      assert.ok(await rt.verify({ proof: handProof({ claims: { iat: iat() } }), htm: 'POST', htu: HTU }));
      const live = await rows(a);
      // Nothing is expired yet: pruning now would let the old proof be replayed.
      assert.equal(await rt.shared!.prune(), 0);
      assert.deepEqual(await rows(a), live);
      await rejects(other.verify({ proof: old, htm: 'POST', htu: HTU }), 'ERR_INVALID_DPOP_PROOF', 'replay');
      clock.advance(400_000);
      const left = (await rows(a)).filter((r) => r.expiresAt > clock.now()).length;
      assert.ok((await rt.shared!.prune()) > 0);
      assert.equal((await rows(a)).length, left);
      // Once pruned, the old proof is refused by its iat, not let through.
      await rejects(createDpopRuntime(clock).verify({ proof: old, htm: 'POST', htu: HTU }), 'ERR_INVALID_DPOP_PROOF', 'iat');
    } finally {
      rt.close(); other.close();
    }
  });
});

describe('DPoP runtime on SQLite', () => {
  test('keeps proofs in memory only: no shared check, no rows written', async () => {
    const { store, cleanup } = await openTestStore('sqlite');
    const rt = createDpopRuntime(fixedClock(Date.now()), {}, { store });
    try {
      assert.equal(rt.shared, undefined);
      const keys = await dpop.generateKeyPair('ES256');
      const proof = await dpop.generateProof(keys, HTU, 'POST');
      assert.ok(await rt.verify({ proof, htm: 'POST', htu: HTU }));
      await rejects(rt.verify({ proof, htm: 'POST', htu: HTU }), 'ERR_INVALID_DPOP_PROOF', 'replay');
      assert.equal(rt.replay.size, 1);
      assert.deepEqual(await rows(store), []);
    } finally {
      rt.close();
      await cleanup();
    }
  });
});
