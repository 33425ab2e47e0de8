import type { RequestContext } from '../shared/context.ts';
import type { KeyPurpose, StoredKey } from './key-repo.ts';
import { KEY_ACTIONS, keyDetails, lostRace, type KeyOpsDeps, type KeyReason } from './key-ops.ts';
import { newKey } from './new-key.ts';

/**
 * Creates the successor of the active key and publishes it (JWKS, bundle) without letting it
 * sign: relying parties learn it before any token or certificate carries it. At most one key per
 * purpose is prepared; when another server prepared one first, ERR_CONFLICT and nothing stored.
 */
export async function prepareKey(deps: KeyOpsDeps, purpose: KeyPurpose, ctx: RequestContext, reason: KeyReason): Promise<StoredKey> {
  const { stored } = await newKey(deps.spec, purpose, 'prepared', deps.kek, deps.clock.now());
  await deps.store.write(async (tx) => {
    if (!(await deps.store.keys.prepare(tx, stored))) throw lostRace(purpose, 'a key is already prepared');
    tx.audit(ctx, { action: KEY_ACTIONS.prepare, outcome: 'success', target: stored.kid, details: keyDetails(stored, reason) });
  });
  return stored;
}
