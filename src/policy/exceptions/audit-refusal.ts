import type { RequestContext } from '../../shared/context.ts';
import { TesseraError } from '../../shared/errors.ts';
import type { UnitOfWork } from '../../shared/tx.ts';

// Failures of the server itself are not refusals of the caller's request.
const NOT_REFUSALS = new Set(['ERR_STORE_UNAVAILABLE', 'ERR_INTERNAL']);

/** Records a refused request as a `denied` event of its action (with code, field and rule), then rethrows. */
export async function auditRefusal(store: Pick<UnitOfWork, 'write'>, ctx: RequestContext, action: string, target: string | undefined, e: unknown): Promise<never> {
  if (e instanceof TesseraError && !NOT_REFUSALS.has(e.code)) {
    const details: Record<string, unknown> = { code: e.code, message: e.message };
    if (typeof e.details?.field === 'string') details.field = e.details.field;
    if (typeof e.details?.rule === 'string') details.rule = e.details.rule;
    try {
      await store.write(async (tx) => { tx.audit(ctx, { action, outcome: 'denied', target, details }); });
    } catch {
      // The caller still learns why; a store that cannot record the refusal recorded nothing else.
    }
  }
  throw e;
}
