import type { RequestContext } from '../shared/context.ts';
import type { Tx } from '../shared/tx.ts';
import type { StoredKey } from './key-repo.ts';
import { publishUntilFor } from './key-schedule.ts';
import { KEY_ACTIONS, keyDetails, lostRace, type KeyOpsDeps, type KeyReason } from './key-ops.ts';

/**
 * Retires the active key inside the caller's unit of work (its successor is activated in the
 * same one). The key stops signing but stays published until everything it signed has expired;
 * its private key is erased. Compare-and-set on its status: if another server retired it first,
 * ERR_CONFLICT undoes the whole unit of work.
 */
export async function retireKey(deps: KeyOpsDeps, tx: Tx, ctx: RequestContext, key: StoredKey, at: number, reason: KeyReason): Promise<void> {
  const publishUntil = publishUntilFor(key, at, deps.policy);
  if (!(await deps.store.keys.retire(tx, key.kid, at, publishUntil, 'active'))) throw lostRace(key.purpose, `${key.kid} is no longer active`);
  tx.audit(ctx, { action: KEY_ACTIONS.retire, outcome: 'success', target: key.kid, details: keyDetails({ ...key, publishUntil }, reason) });
}
