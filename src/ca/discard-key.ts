import type { RequestContext } from '../shared/context.ts';
import type { StoredKey } from './key-repo.ts';
import { KEY_ACTIONS, keyDetails, lostRace, type KeyOpsDeps, type KeyReason } from './key-ops.ts';

/**
 * Withdraws a prepared key the configuration no longer wants (another JWT algorithm, another
 * root) before it ever signs: it is retired and unpublished at once.
 */
export async function discardKey(deps: KeyOpsDeps, key: StoredKey, ctx: RequestContext, reason: KeyReason): Promise<void> {
  const at = deps.clock.now();
  await deps.store.write(async (tx) => {
    if (!(await deps.store.keys.retire(tx, key.kid, at, at, 'prepared'))) throw lostRace(key.purpose, `${key.kid} is no longer prepared`);
    tx.audit(ctx, { action: KEY_ACTIONS.retire, outcome: 'success', target: key.kid, details: { ...keyDetails({ ...key, publishUntil: at }, reason), neverSigned: true } });
  });
}
