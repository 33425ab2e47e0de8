// Tessera's own registry as inventory: every registered workload, the short-lived SVIDs it is
// issued (one credential per identity: SVIDs live minutes and are not stored one by one), and
// the static `tsk_` keys issued under an exception. Read page by page from the store, so the
// inventory can set Tessera's federated access beside the static credentials of other systems.
import type { Identity, IdentityRepo } from '../../identity/index.ts';
import { STATIC_KEY_LIST_MAX, staticKeyStatus, type StaticKeyRepo } from '../../identity/static-keys/index.ts';
import type { Importer, InventoryRecord } from '../types.ts';
import { ownershipFromTags } from './ownership-from-tags.ts';

/** The part of the store this reads (a Store has it). */
export interface RegistryReader {
  identities: Pick<IdentityRepo, 'list'>;
  staticKeys: Pick<StaticKeyRepo, 'listByIdentity'>;
}

export const tesseraSourceInfo: Pick<Importer, 'source' | 'producedBy'> = {
  source: 'tessera',
  producedBy: "read from the server's own registry",
};

const PAGE_SIZE = 500;

function identityRecords(identity: Identity): InventoryRecord[] {
  const active = identity.disabledAt === null;
  const facts = {
    owner: identity.owner,
    service: ownershipFromTags(identity.labels).service,
    environment: identity.environment,
    tier: String(identity.tier),
  };
  return [
    {
      category: 'identity', kind: 'workload', nativeId: identity.spiffeId, name: identity.spiffeId, parentId: null, ...facts,
      createdAt: identity.createdAt, lastRotatedAt: null, lastUsedAt: null, expiresAt: null,
      active, longLived: false, federated: true,
      attributes: {
        id: identity.id, maxTtlSeconds: identity.maxTtlSeconds, bearerForbidden: identity.bearerForbidden,
        ...(Object.keys(identity.labels).length ? { labels: identity.labels } : {}),
        ...(identity.staticException ? { staticException: identity.staticException } : {}),
      },
    },
    {
      // SVIDs are minted and rotated all the time; dates here would change on every import, so
      // the record carries the lifetime instead (attributes.maxTtlSeconds bounds their age).
      category: 'credential', kind: 'short-lived-svid', nativeId: `${identity.spiffeId}#svid`, name: `${identity.spiffeId} SVID`,
      parentId: identity.spiffeId, ...facts,
      createdAt: null, lastRotatedAt: null, lastUsedAt: null, expiresAt: null,
      active, longLived: false, federated: true,
      attributes: { maxTtlSeconds: identity.maxTtlSeconds },
    },
  ];
}

/** Streams the registry's identities and credentials, one page of identities at a time. */
export async function* tesseraRegistry(store: RegistryReader, now: number, opts: { pageSize?: number } = {}): AsyncIterable<InventoryRecord> {
  let cursor: string | undefined;
  do {
    const page = await store.identities.list({ includeDisabled: true }, { limit: opts.pageSize ?? PAGE_SIZE, cursor });
    for (const identity of page.items) {
      yield* identityRecords(identity);
      for (const key of await store.staticKeys.listByIdentity(identity.id, STATIC_KEY_LIST_MAX)) {
        const status = staticKeyStatus(key, now);
        yield {
          category: 'credential', kind: 'static-key', nativeId: `${identity.spiffeId}#static-key/${key.id}`, name: `tsk_…${key.last4}`,
          parentId: identity.spiffeId,
          owner: key.owner, service: ownershipFromTags(identity.labels).service, environment: identity.environment, tier: String(identity.tier),
          createdAt: key.createdAt, lastRotatedAt: null, lastUsedAt: null, expiresAt: key.expiresAt,
          active: status === 'active', longLived: true, federated: false,
          attributes: { id: key.id, last4: key.last4, status, createdBy: key.createdBy, ...(key.revokedAt === null ? {} : { revokedAt: key.revokedAt }) },
        };
      }
    }
    cursor = page.nextCursor;
  } while (cursor !== undefined);
}
