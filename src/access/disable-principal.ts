import type { RequestContext } from '../shared/context.ts';
import { TesseraError } from '../shared/errors.ts';
import type { PrincipalDeps } from './create-principal.ts';
import type { Principal } from './principal-repo.ts';

/**
 * Disables a principal: it can no longer obtain tokens, and tokens it already holds stop
 * working at once (the verifier checks the principal on every request). Refused for oneself
 * and for the last enabled administrator, either of which would lock administrators out.
 * Disabling a disabled principal changes nothing.
 */
export async function disablePrincipal(deps: PrincipalDeps, ctx: RequestContext, id: string): Promise<Principal> {
  const { store, clock } = deps;
  const deny = async (e: TesseraError): Promise<never> => {
    await store.write(async (tx) => tx.audit(ctx, { action: 'principal.disable', outcome: 'denied', target: id.slice(0, 128), details: { code: e.code, reason: e.message } }));
    throw e;
  };
  const p = await store.principals.get(id);
  if (!p) return deny(new TesseraError('ERR_NOT_FOUND', `principal ${id.slice(0, 128)} does not exist`, { field: 'id', rule: 'exists' }));
  if (p.disabledAt !== null) return p;
  if (id === ctx.actor.id) return deny(new TesseraError('ERR_DENIED', 'a principal cannot disable itself', { field: 'id', rule: 'not yourself' }));
  if (p.roles.includes('admin')) {
    const admins = (await store.principals.list()).filter((o) => o.disabledAt === null && o.roles.includes('admin'));
    if (admins.length <= 1) {
      return deny(new TesseraError('ERR_CONFLICT', `principal ${id} is the last enabled administrator`, { field: 'id', rule: 'keep one administrator' }));
    }
  }
  const at = clock.now();
  // The check above answers the common case with a clear error; this one, in the transaction,
  // is the one that holds when two administrators disable each other at the same moment.
  const outcome = await store.write(async (tx) => {
    const r = await store.principals.disableUnlessLastAdmin(tx, id, at);
    if (r === 'disabled') tx.audit(ctx, { action: 'principal.disable', outcome: 'success', target: id });
    return r;
  });
  if (outcome === 'last-admin') return deny(new TesseraError('ERR_CONFLICT', `principal ${id} is the last enabled administrator`, { field: 'id', rule: 'keep one administrator' }));
  if (outcome === 'unchanged') return (await store.principals.get(id)) ?? p;
  return { ...p, disabledAt: at };
}
