import type { RequestContext } from '../shared/context.ts';
import type { KeyPurpose, StoredKey } from './key-repo.ts';
import { KEY_ACTIONS, keyDetails, lostRace, type KeyOpsDeps, type KeyReason } from './key-ops.ts';
import { newKey } from './new-key.ts';
import { retireKey } from './retire-key.ts';

export interface Activation {
  purpose: KeyPurpose;
  /** The prepared key that takes over; absent: a fresh key is created and takes over at once. */
  next?: StoredKey | undefined;
  /** The active key it replaces (absent on first start). */
  current?: StoredKey | undefined;
}

/**
 * Makes a key the signing key for its purpose, retiring the current one, in one unit of work:
 * both transitions are compare-and-set on status, so of several servers sharing a database that
 * attempt it at once exactly one succeeds; the others get ERR_CONFLICT and change nothing. One
 * active key per purpose also holds in the database itself (a unique index).
 */
export async function activateKey(deps: KeyOpsDeps, a: Activation, ctx: RequestContext, reason: KeyReason): Promise<StoredKey> {
  const fresh = a.next ? undefined : (await newKey(deps.spec, a.purpose, 'active', deps.kek, deps.clock.now())).stored;
  const at = deps.clock.now();
  await deps.store.write(async (tx) => {
    // Retired first: the unique index allows one active key per purpose at any moment.
    if (a.current) await retireKey(deps, tx, ctx, a.current, at, reason);
    if (a.next) {
      if (!(await deps.store.keys.activate(tx, a.next.kid, at))) throw lostRace(a.purpose, `${a.next.kid} is no longer prepared`);
      tx.audit(ctx, { action: KEY_ACTIONS.activate, outcome: 'success', target: a.next.kid, details: keyDetails(a.next, reason) });
    } else {
      const k = { ...fresh!, createdAt: at, activatedAt: at };
      await deps.store.keys.insert(tx, k);
      // A key that signs at once was never prepared ahead; both steps are recorded.
      tx.audit(ctx, { action: KEY_ACTIONS.prepare, outcome: 'success', target: k.kid, details: keyDetails(k, reason) });
      tx.audit(ctx, { action: KEY_ACTIONS.activate, outcome: 'success', target: k.kid, details: keyDetails(k, reason) });
    }
  });
  return a.next ? { ...a.next, status: 'active', activatedAt: at } : { ...fresh!, createdAt: at, activatedAt: at };
}
