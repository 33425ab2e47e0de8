// The identity cache of the token hot path: every change made through this server is seen by
// the very next read, a read racing a change is not kept, a change made behind the server's
// back (another server sharing the database) is seen within IDENTITY_CACHE_TTL_MS.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createIdentity, createIdentityCache, deleteIdentity, disableIdentity, enableIdentity, updateIdentity, IDENTITY_CACHE_TTL_MS,
  type IdentityCache, type IdentityRepo,
} from '../../src/identity/index.ts';
import { ctx, useStore, valid, type Env } from './setup.ts';

const SPIFFE = 'spiffe://tessera.local/ns/prod/sa/payments';

/** A cache over the real store, wired to its audit listener as the server wires it. */
function cacheOf(env: Env, repo: Pick<IdentityRepo, 'get' | 'getBySpiffeId'> = env.store.identities): IdentityCache {
  const cache = createIdentityCache(repo, env.clock);
  env.store.onAudit((events) => cache.onAudit(events));
  return cache;
}

/** The store's repo, counting the reads that reach it. */
function counted(env: Env): { repo: Pick<IdentityRepo, 'get' | 'getBySpiffeId'>; reads: () => number } {
  let n = 0;
  return {
    repo: { get: (id) => env.store.identities.get(id), getBySpiffeId: (s) => { n++; return env.store.identities.getBySpiffeId(s); } },
    reads: () => n,
  };
}

describe('identity cache (SQLite)', () => {
  const env = useStore('sqlite');

  test('a second read of the same SPIFFE ID is served from memory, and is the stored identity', async () => {
    const created = await createIdentity(env.deps, ctx, valid());
    const c = counted(env);
    const cache = cacheOf(env, c.repo);
    const first = await cache.getBySpiffeId(SPIFFE);
    const second = await cache.getBySpiffeId(SPIFFE);
    assert.deepEqual(second, created);
    assert.equal(second, first);
    assert.equal(c.reads(), 1);
    // Shared between requests: nobody can edit what the next exchange will read.
    assert.ok(Object.isFrozen(second) && Object.isFrozen(second!.labels));
  });

  test('disable, enable, update and delete through the operations are seen by the very next read', async () => {
    const created = await createIdentity(env.deps, ctx, valid());
    const cache = cacheOf(env);
    assert.equal((await cache.getBySpiffeId(SPIFFE))?.disabledAt, null);
    await disableIdentity(env.deps, ctx, created.id);
    assert.equal((await cache.getBySpiffeId(SPIFFE))?.disabledAt, env.clock.now());
    await enableIdentity(env.deps, ctx, created.id);
    assert.equal((await cache.getBySpiffeId(SPIFFE))?.disabledAt, null);
    await updateIdentity(env.deps, ctx, created.id, { bearerForbidden: true, owner: 'team-orders' });
    const updated = await cache.getBySpiffeId(SPIFFE);
    assert.equal(updated?.bearerForbidden, true);
    assert.equal(updated?.owner, 'team-orders');
    await deleteIdentity(env.deps, ctx, created.id);
    assert.equal(await cache.getBySpiffeId(SPIFFE), undefined);
  });

  test('issuance events do not empty it; any other committed event does', async () => {
    await createIdentity(env.deps, ctx, valid());
    const c = counted(env);
    const cache = cacheOf(env, c.repo);
    await cache.getBySpiffeId(SPIFFE);
    await env.store.write(async (tx) => { tx.audit(ctx, { action: 'token.exchange', outcome: 'success', target: SPIFFE }); });
    await cache.getBySpiffeId(SPIFFE);
    assert.equal(c.reads(), 1);
    await env.store.write(async (tx) => { tx.audit(ctx, { action: 'something.new', outcome: 'success' }); });
    await cache.getBySpiffeId(SPIFFE);
    assert.equal(c.reads(), 2);
  });

  test('a read that raced a change is not kept: the next read goes to the store', async () => {
    const created = await createIdentity(env.deps, ctx, valid());
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    // The store's repo, with the answer held back until the change has committed.
    const slow: Pick<IdentityRepo, 'get' | 'getBySpiffeId'> = {
      get: (id) => env.store.identities.get(id),
      getBySpiffeId: async (s) => { const row = await env.store.identities.getBySpiffeId(s); await gate; return row; },
    };
    const cache = cacheOf(env, slow);
    const racing = cache.getBySpiffeId(SPIFFE);
    await disableIdentity(env.deps, ctx, created.id);
    release();
    assert.equal((await racing)?.disabledAt, null, 'the racing read answers what it read');
    assert.notEqual((await cache.getBySpiffeId(SPIFFE))?.disabledAt, null, 'but the stale row was not cached');
  });

  test('a change that bypasses this server is seen once IDENTITY_CACHE_TTL_MS has passed', async () => {
    const created = await createIdentity(env.deps, ctx, valid());
    const cache = cacheOf(env);
    await cache.getBySpiffeId(SPIFFE);
    // Another server sharing the database: no audit event reaches this server's listener.
    await env.store.write(async (tx) => { await env.store.identities.markDisabled(tx, created.id, env.clock.now(), 'other-server'); });
    env.clock.advance(IDENTITY_CACHE_TTL_MS - 1);
    assert.equal((await cache.getBySpiffeId(SPIFFE))?.disabledAt, null, 'within the bound the cached row may still be served');
    env.clock.advance(1);
    assert.notEqual((await cache.getBySpiffeId(SPIFFE))?.disabledAt, null, 'at the bound it is read again');
  });

  test('unknown SPIFFE IDs are not cached: an identity created later is found at once', async () => {
    const cache = createIdentityCache(env.store.identities, env.clock); // not even wired to the listener
    assert.equal(await cache.getBySpiffeId(SPIFFE), undefined);
    const created = await createIdentity(env.deps, ctx, valid());
    assert.deepEqual(await cache.getBySpiffeId(SPIFFE), created);
  });

  test('the cache is bounded: past its size it starts over instead of growing', async () => {
    const c = counted(env);
    const cache = createIdentityCache(c.repo, env.clock, { max: 2 });
    for (const n of ['a', 'b', 'c']) await createIdentity(env.deps, ctx, valid({ spiffeId: `spiffe://tessera.local/ns/prod/sa/${n}` }));
    for (const n of ['a', 'b', 'c', 'a']) await cache.getBySpiffeId(`spiffe://tessera.local/ns/prod/sa/${n}`);
    assert.equal(c.reads(), 4, 'a was dropped when c arrived');
  });
});
