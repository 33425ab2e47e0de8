// What every stored-policy operation shares: its dependencies and the audit of refusals.
import type { Clock } from '../shared/clock.ts';
import type { RequestContext } from '../shared/context.ts';
import { TesseraError } from '../shared/errors.ts';
import type { UnitOfWork } from '../shared/tx.ts';
import type { PolicyRepo } from './policy-repo.ts';
import type { PolicyRuntime } from './policy-runtime.ts';

export interface PolicyDeps {
  store: { policies: PolicyRepo; write: UnitOfWork['write'] };
  clock: Clock;
  runtime: PolicyRuntime;
}

const NOT_REFUSALS = new Set(['ERR_STORE_UNAVAILABLE', 'ERR_INTERNAL']);

/** Runs an operation; a refusal is audited as `denied` (in its own unit of work) and rethrown. */
export async function auditPolicyRefusal<T>(deps: PolicyDeps, ctx: RequestContext, action: string, target: string | undefined, op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (e) {
    if (!(e instanceof TesseraError) || NOT_REFUSALS.has(e.code)) throw e;
    const details: Record<string, unknown> = { code: e.code, message: e.message.slice(0, 1024) };
    if (typeof e.details?.field === 'string') details.field = e.details.field;
    try {
      await deps.store.write(async (tx) => { tx.audit(ctx, { action, outcome: 'denied', target, details }); });
    } catch { /* the caller still learns why; nothing was changed */ }
    throw e;
  }
}
