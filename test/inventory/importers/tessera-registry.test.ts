import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { tesseraRegistry, tesseraSourceInfo } from '../../../src/inventory/importers/tessera-registry.ts';
import type { InventoryRecord } from '../../../src/inventory/types.ts';
import { createIdentity, disableIdentity, type Identity } from '../../../src/identity/index.ts';
import { createStaticKey, type StaticKey } from '../../../src/identity/static-keys/index.ts';
import { createDenyList, createRevocation } from '../../../src/revocation/index.ts';
import { fixedClock } from '../../../src/shared/clock.ts';
import type { RequestContext } from '../../../src/shared/context.ts';
import type { Store } from '../../../src/store/index.ts';
import { openTestStore, STORE_KINDS } from '../../helpers/test-store.ts';
import { collect } from './importer-kit.ts';

const T0 = Date.parse('2030-01-01T00:00:00Z');
const SEC = 1000, HOUR = 3_600_000, DAY = 86_400_000;
const ctx: RequestContext = { actor: { id: 'alice', roles: ['admin'] }, requestId: 'req-1', sourceIp: '127.0.0.1' };
const PAYMENTS = 'spiffe://tessera.local/ns/prod/sa/payments';
const LEGACY = 'spiffe://tessera.local/ns/prod/sa/legacy';
const CI = 'spiffe://tessera.local/ns/dev/sa/ci';

for (const kind of STORE_KINDS) {
  describe(`tesseraRegistry on ${kind}`, () => {
    let store: Store, cleanup: () => Promise<void>;
    let payments: Identity, legacy: Identity, ci: Identity;
    let live: StaticKey, expiring: StaticKey, revoked: StaticKey;
    const clock = fixedClock(T0);

    before(async () => {
      ({ store, cleanup } = await openTestStore(kind, { clock }));
      const deps = { store, clock, trustDomain: 'tessera.local' };
      // One second apart, so creation (id) order and newest-first key order are fixed.
      payments = await createIdentity(deps, ctx, { spiffeId: PAYMENTS, owner: 'team-payments', environment: 'prod', tier: 1, ttl: '15m', labels: { service: 'payments-api' } });
      clock.advance(SEC);
      legacy = await createIdentity(deps, ctx, { spiffeId: LEGACY, owner: 'team-legacy', environment: 'prod', tier: 2, ttl: '1h' });
      clock.advance(SEC);
      ci = await createIdentity(deps, ctx, { spiffeId: CI, owner: 'team-ci', environment: 'dev', tier: 3, ttl: '1h', description: 'CI runners' });
      clock.advance(SEC);
      ci = await disableIdentity(deps, ctx, CI);
      clock.advance(SEC);
      live = (await createStaticKey(deps, ctx, LEGACY, { expires: '30d', owner: 'ops@example.com' })).record;
      clock.advance(SEC);
      expiring = (await createStaticKey(deps, ctx, LEGACY, { expires: '2d' })).record;
      clock.advance(SEC);
      revoked = (await createStaticKey(deps, ctx, LEGACY, { expires: '30d' })).record;
      clock.advance(HOUR);
      const denyList = createDenyList({ repo: store.revocations, clock });
      await createRevocation({ store, clock, issuer: 'https://tessera.test', jwtKeys: () => [], denyList, maxTokenTtlSeconds: 3600 }, ctx,
        { staticKeyId: revoked.id, reason: 'found in a public repository' });
    });
    after(async () => { await cleanup(); });

    const NOW = T0 + 3 * DAY; // the 2-day key has expired by then
    const workload = (i: Identity, over: Partial<InventoryRecord>): InventoryRecord => ({
      category: 'identity', kind: 'workload', nativeId: i.spiffeId, name: i.spiffeId, parentId: null,
      owner: i.owner, service: null, environment: i.environment, tier: String(i.tier),
      createdAt: i.createdAt, lastRotatedAt: null, lastUsedAt: null, expiresAt: null,
      active: true, longLived: false, federated: true,
      attributes: { id: i.id, maxTtlSeconds: i.maxTtlSeconds, bearerForbidden: false }, ...over,
    });
    const svid = (i: Identity, over: Partial<InventoryRecord> = {}): InventoryRecord => ({
      category: 'credential', kind: 'short-lived-svid', nativeId: `${i.spiffeId}#svid`, name: `${i.spiffeId} SVID`, parentId: i.spiffeId,
      owner: i.owner, service: null, environment: i.environment, tier: String(i.tier),
      createdAt: null, lastRotatedAt: null, lastUsedAt: null, expiresAt: null,
      active: true, longLived: false, federated: true, attributes: { maxTtlSeconds: i.maxTtlSeconds }, ...over,
    });
    const key = (k: StaticKey, status: string, over: Partial<InventoryRecord> = {}): InventoryRecord => ({
      category: 'credential', kind: 'static-key', nativeId: `${LEGACY}#static-key/${k.id}`, name: `tsk_…${k.last4}`, parentId: LEGACY,
      owner: k.owner, service: null, environment: 'prod', tier: '2',
      createdAt: k.createdAt, lastRotatedAt: null, lastUsedAt: null, expiresAt: k.expiresAt,
      active: status === 'active', longLived: true, federated: false,
      attributes: { id: k.id, last4: k.last4, status, createdBy: 'alice' }, ...over,
    });

    it('yields each identity, its SVID credential and its static keys (newest first) as exact records', async () => {
      const records = await collect(tesseraRegistry(store, NOW));
      assert.deepEqual(records, [
        workload(payments, { service: 'payments-api', attributes: { id: payments.id, maxTtlSeconds: 900, bearerForbidden: false, labels: { service: 'payments-api' } } }),
        svid(payments, { service: 'payments-api' }),
        workload(legacy, {}),
        svid(legacy),
        key(revoked, 'revoked', { attributes: { id: revoked.id, last4: revoked.last4, status: 'revoked', createdBy: 'alice', revokedAt: T0 + 6 * SEC + HOUR } }),
        key(expiring, 'expired'),
        key(live, 'active'),
        workload(ci, { active: false }),
        svid(ci, { active: false }),
      ]);
      assert.equal(live.owner, 'ops@example.com');
    });

    it('reads page by page: small pages give the same records', async () => {
      assert.deepEqual(await collect(tesseraRegistry(store, NOW, { pageSize: 1 })), await collect(tesseraRegistry(store, NOW)));
      assert.deepEqual(await collect(tesseraRegistry(store, NOW, { pageSize: 2 })), await collect(tesseraRegistry(store, NOW)));
    });

    it('a key is active before its expiry and expired from then on', async () => {
      const at = async (now: number) => (await collect(tesseraRegistry(store, now))).find((r) => r.nativeId.endsWith(expiring.id))!;
      assert.equal((await at(expiring.expiresAt - 1)).active, true);
      assert.deepEqual([(await at(expiring.expiresAt)).active, (await at(expiring.expiresAt)).attributes?.status], [false, 'expired']);
    });

    it('reads only: the registry is unchanged', async () => {
      const before = JSON.stringify([await store.identities.list({}, { limit: 100 }), await store.staticKeys.listByIdentity(legacy.id, 100)]);
      await collect(tesseraRegistry(store, NOW));
      assert.equal(JSON.stringify([await store.identities.list({}, { limit: 100 }), await store.staticKeys.listByIdentity(legacy.id, 100)]), before);
    });
  });
}

describe('tesseraSourceInfo', () => {
  it('names the source for the import log and --help', () => {
    assert.deepEqual(tesseraSourceInfo, { source: 'tessera', producedBy: "read from the server's own registry" });
  });
});
