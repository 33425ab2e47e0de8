// Manual correlation: an operator says which workload an identity belongs to (or that it does
// not belong to the one a rule chose). Both are audited.
import type { RequestContext } from '../shared/context.ts';
import { TesseraError } from '../shared/errors.ts';
import type { Tx } from '../shared/tx.ts';
import type { InventoryRepo } from './inventory-repo.ts';

export interface LinkDeps {
  store: { inventory: InventoryRepo; write<T>(fn: (tx: Tx) => Promise<T>): Promise<T> };
  clock: { now(): number };
}

const WORKLOAD = /^[a-z0-9][a-z0-9._-]{0,99}$/;

export async function linkWorkload(deps: LinkDeps, ctx: RequestContext, body: { nativeId?: unknown; workload?: unknown }): Promise<{ nativeId: string; workload: string }> {
  const { nativeId, workload } = body;
  if (typeof nativeId !== 'string' || nativeId === '') throw new TesseraError('ERR_INVALID_INPUT', 'nativeId: is required (the item\'s id in its platform, e.g. an ARN)', { field: 'nativeId', rule: 'required' });
  if (typeof workload !== 'string' || !WORKLOAD.test(workload)) {
    throw new TesseraError('ERR_INVALID_INPUT', 'workload: must be 1–100 lowercase letters, digits, ".", "_" or "-"', { field: 'workload', rule: 'pattern' });
  }
  const found = await deps.store.inventory.findByNativeId(nativeId);
  if (found.length === 0) throw new TesseraError('ERR_NOT_FOUND', `no inventory item has native id ${nativeId}`, { field: 'nativeId' });
  await deps.store.write(async (tx) => {
    await deps.store.inventory.link(tx, nativeId, workload, 'manual', deps.clock.now(), ctx.actor.id);
    tx.audit(ctx, { action: 'inventory.link', outcome: 'success', target: nativeId, details: { workload } });
  });
  return { nativeId, workload };
}

export async function unlinkWorkload(deps: LinkDeps, ctx: RequestContext, nativeId: string | undefined): Promise<void> {
  if (!nativeId) throw new TesseraError('ERR_INVALID_INPUT', 'nativeId: is required', { field: 'nativeId', rule: 'required' });
  const removed = await deps.store.write(async (tx) => {
    const ok = await deps.store.inventory.unlink(tx, nativeId);
    if (ok) tx.audit(ctx, { action: 'inventory.unlink', outcome: 'success', target: nativeId });
    return ok;
  });
  if (!removed) throw new TesseraError('ERR_NOT_FOUND', `${nativeId} is not linked to a workload`, { field: 'nativeId' });
}
