// The exchange's cache of running elevations: served from memory between changes, every change
// made through this server seen by the next decision, windows applied to the instant, changes
// made behind the server's back seen within ELEVATION_CACHE_TTL_MS.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createElevationCache, ELEVATION_CACHE_TTL_MS, type ElevationCache } from '../../../src/broker/exchange/index.ts';
import { mayChangeState } from '../../../src/identity/index.ts';
import {
  activeElevations, approveElevation, requestElevation, revokeElevation, type ElevationDeps, type ElevationRepo,
} from '../../../src/policy/elevation/index.ts';
import { addPrincipal, ctxOf, openFixture } from '../../policy/exceptions/fixtures.ts';

const ALICE = ctxOf('alice', ['admin']);
const BOB = ctxOf('bob', ['approver']);
const HOUR = 3_600_000;

describe('elevation cache of the token exchange (SQLite)', () => {
  let f: Awaited<ReturnType<typeof openFixture>>;
  let deps: ElevationDeps;
  let n = 0;
  before(async () => { f = await openFixture('sqlite'); deps = { store: f.store, clock: f.clock }; });
  after(async () => { await f.cleanup(); });

  /** A fresh subject per test (the store is shared), and a cache wired as the server wires it. */
  async function setUp(repo: Pick<ElevationRepo, 'activeFor'> = f.store.elevations): Promise<{ subject: string; cache: ElevationCache }> {
    const subject = `wl-${++n}`;
    await addPrincipal(f.store, subject, ['workload'], f.clock.now());
    const cache = createElevationCache(repo, f.clock);
    f.store.onAudit((events) => { if (mayChangeState(events)) cache.invalidate(); });
    return { subject, cache };
  }
  const approved = async (subject: string) => {
    const r = await requestElevation(deps, ALICE, { subject, grant: { audience: 'prod-db' }, duration: '1h', reason: 'incident 4711' });
    return approveElevation(deps, BOB, r.id, { reason: 'ok' });
  };

  test('between changes the store is read once; the answer is what activeElevations gives', async () => {
    let reads = 0;
    const { subject, cache } = await setUp({ activeFor: (s, now) => { reads++; return f.store.elevations.activeFor(s, now); } });
    await approved(subject);
    const first = await cache.active(subject, f.clock.now());
    f.clock.advance(1_000);
    assert.deepEqual(await cache.active(subject, f.clock.now()), first);
    assert.deepEqual(first, await activeElevations(f.store.elevations, subject, f.clock.now()));
    assert.equal(first.length, 1);
    assert.equal(reads, 1);
  });

  test('an approval and a revoke made through this server are seen by the very next decision', async () => {
    const { subject, cache } = await setUp();
    assert.deepEqual(await cache.active(subject, f.clock.now()), []);
    const e = await approved(subject);
    assert.deepEqual(await cache.active(subject, f.clock.now()), [{ audience: 'prod-db', expiresAt: e.expiresAt }]);
    await revokeElevation(deps, ALICE, e.id);
    assert.deepEqual(await cache.active(subject, f.clock.now()), []);
  });

  test('the window ends to the instant, even for a cached answer', async () => {
    const { subject, cache } = await setUp();
    const e = await approved(subject);
    assert.equal((await cache.active(subject, f.clock.now())).length, 1);
    assert.equal((await cache.active(subject, e.expiresAt! - 1)).length, 1);
    assert.deepEqual(await cache.active(subject, e.expiresAt!), []);
    f.clock.advance(HOUR);
  });

  test('a read that raced a revoke is not kept', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const { subject, cache } = await setUp({ activeFor: async (s, now) => { const rows = await f.store.elevations.activeFor(s, now); await gate; return rows; } });
    const e = await approved(subject);
    const racing = cache.active(subject, f.clock.now());
    await revokeElevation(deps, ALICE, e.id);
    release();
    assert.equal((await racing).length, 1, 'the racing decision answers what it read');
    assert.deepEqual(await cache.active(subject, f.clock.now()), [], 'the stale rows were not cached');
  });

  test('a revoke that bypasses this server is seen once ELEVATION_CACHE_TTL_MS has passed', async () => {
    const { subject, cache } = await setUp();
    const e = await approved(subject);
    assert.equal((await cache.active(subject, f.clock.now())).length, 1);
    // Another server sharing the database: no audit event reaches this server's listener.
    await f.store.write(async (tx) => { await f.store.elevations.revoke(tx, e.id, f.clock.now(), 'other-server'); });
    f.clock.advance(ELEVATION_CACHE_TTL_MS - 1);
    assert.equal((await cache.active(subject, f.clock.now())).length, 1, 'within the bound the cached grant may still apply');
    f.clock.advance(1);
    assert.deepEqual(await cache.active(subject, f.clock.now()), [], 'at the bound it is read again');
  });
});
