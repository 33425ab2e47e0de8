import type { Logger } from 'pino';
import type { Clock } from '../shared/clock.ts';
import { createDenyList, type DenyList } from './deny-list.ts';
import type { RevocationRepo } from './revocation-repo.ts';

/**
 * How often the deny list picks up revocations written by other servers. On the embedded store
 * only this server writes (the data folder is locked), so the reload only prunes expired entries.
 */
export const DENY_LIST_POLL_MS = 2000;

/** Loads every revocation in force, then keeps the list current until close(). */
export async function startDenyList(deps: { repo: Pick<RevocationRepo, 'listSince'>; clock: Clock; logger?: Logger | undefined; pollMs?: number | undefined }): Promise<DenyList> {
  const list = createDenyList(deps);
  await list.reload();
  list.startPolling(deps.pollMs ?? DENY_LIST_POLL_MS);
  return list;
}
