import type { RequestContext } from '../shared/context.ts';
import { TesseraError, type ErrorCode } from '../shared/errors.ts';
import type { UnitOfWork } from '../shared/tx.ts';

// Failures of the server itself are not refusals of the caller's request.
const NOT_REFUSALS: ReadonlySet<ErrorCode> = new Set(['ERR_STORE_UNAVAILABLE', 'ERR_INTERNAL']);

/**
 * Records a refused request (a TesseraError) as a `denied` audit event of its action, with the
 * code, field and rule — in its own unit of work, since the refused change was never written —
 * then rethrows. Every capability's operations share this, so refusals read the same in the log.
 */
export async function recordRefusal(store: Pick<UnitOfWork, 'write'>, ctx: RequestContext, action: string,
  target: string | undefined, e: unknown): Promise<never> {
  if (e instanceof TesseraError && !NOT_REFUSALS.has(e.code)) {
    const details: Record<string, unknown> = { code: e.code, message: e.message };
    if (typeof e.details?.field === 'string') details.field = e.details.field;
    if (typeof e.details?.rule === 'string') details.rule = e.details.rule;
    try {
      await store.write(async (tx) => { tx.audit(ctx, { action, outcome: 'denied', target, details }); });
    } catch {
      // The caller still learns why it was refused; a store that cannot record the refusal
      // recorded no change either, so nothing acknowledged is lost.
    }
  }
  throw e;
}

/** Runs an operation; when it refuses the request, records the refusal (recordRefusal) and rethrows. */
export async function auditRefusal<T>(
  store: Pick<UnitOfWork, 'write'>, ctx: RequestContext, action: string,
  target: () => string | undefined, op: () => Promise<T>,
): Promise<T> {
  try {
    return await op();
  } catch (e) {
    return recordRefusal(store, ctx, action, target(), e);
  }
}
