// What every identity operation shares: its dependencies, the audit trail of refusals, and
// looking an identity up by id or SPIFFE ID.
import type { Clock } from '../shared/clock.ts';
import type { RequestContext } from '../shared/context.ts';
import { TesseraError, invalid } from '../shared/errors.ts';
import type { UnitOfWork } from '../shared/tx.ts';
import type { IdentityRepo } from './identity-repo.ts';
import type { Identity } from './types.ts';

/** Structurally Pick<Store, 'identities' | 'write'>, without the domain importing the store. */
export interface IdentityDeps {
  store: { identities: IdentityRepo; write: UnitOfWork['write'] };
  clock: Clock;
  /** This server's SPIFFE trust domain; every registered ID must belong to it. */
  trustDomain: string;
}

export type IdentityAction = 'identity.create' | 'identity.update' | 'identity.disable' | 'identity.enable' | 'identity.delete'
  | 'static-key.create';

// Failures of the server itself are not refusals of the caller's request.
const NOT_REFUSALS = new Set(['ERR_STORE_UNAVAILABLE', 'ERR_INTERNAL']);
const TARGET_MAX = 2048;

/** A printable audit target from untrusted input (bounded so junk cannot bloat the log). */
export function targetOf(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0) return undefined;
  return value.length > TARGET_MAX ? `${value.slice(0, TARGET_MAX)}…` : value;
}

/**
 * Runs an operation; when it refuses the request, records a `denied` audit event (in its own
 * unit of work, since the refused change was never written) and rethrows the refusal.
 */
export async function auditRefusal<T>(
  deps: IdentityDeps, ctx: RequestContext, action: IdentityAction,
  target: () => string | undefined, op: () => Promise<T>,
): Promise<T> {
  try {
    return await op();
  } catch (e) {
    if (!(e instanceof TesseraError) || NOT_REFUSALS.has(e.code)) throw e;
    const details: Record<string, unknown> = { code: e.code, message: e.message };
    if (typeof e.details?.field === 'string') details.field = e.details.field;
    if (typeof e.details?.rule === 'string') details.rule = e.details.rule;
    try {
      await deps.store.write(async (tx) => { tx.audit(ctx, { action, outcome: 'denied', target: target(), details }); });
    } catch {
      // The caller still needs to learn why the request was refused; a store that cannot record
      // the refusal also failed to record any change, so nothing acknowledged is lost.
    }
    throw e;
  }
}

/** Finds an identity by its id or its SPIFFE ID; ERR_NOT_FOUND when there is none. */
export async function findIdentity(deps: Pick<IdentityDeps, 'store'>, ref: unknown, field = 'id'): Promise<Identity> {
  if (typeof ref !== 'string' || ref.length === 0) throw invalid(field, 'must be an identity id or a SPIFFE ID');
  if (ref.length > 2048) throw invalid(field, 'must be at most 2048 characters');
  const found = ref.startsWith('spiffe://')
    ? await deps.store.identities.getBySpiffeId(ref)
    : await deps.store.identities.get(ref);
  if (!found) throw new TesseraError('ERR_NOT_FOUND', `${field}: no identity ${ref}`, { field, rule: 'must exist' });
  return found;
}
