// What every identity operation shares: its dependencies, the audit trail of refusals, and
// looking an identity up by id or SPIFFE ID.
import { auditRefusal as auditRefusalIn } from '../audit/index.ts';
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
  /**
   * The policy engine's say, after the checks in code have passed: throws (ERR_DENIED, naming the
   * policy) to refuse. Absent: the checks in code are the only guardrails.
   */
  guardrail?: ((action: 'identity.create' | 'identity.update' | 'static-key.create', identity: Identity, ctx: RequestContext,
    resource?: Record<string, unknown>) => void) | undefined;
}

export type IdentityAction = 'identity.create' | 'identity.update' | 'identity.disable' | 'identity.enable' | 'identity.delete'
  | 'static-key.create';

const TARGET_MAX = 2048;

/** A printable audit target from untrusted input (bounded so junk cannot bloat the log). */
export function targetOf(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0) return undefined;
  return value.length > TARGET_MAX ? `${value.slice(0, TARGET_MAX)}…` : value;
}

/** Runs an operation; a refusal is recorded as a `denied` audit event and rethrown. */
export function auditRefusal<T>(
  deps: IdentityDeps, ctx: RequestContext, action: IdentityAction,
  target: () => string | undefined, op: () => Promise<T>,
): Promise<T> {
  return auditRefusalIn(deps.store, ctx, action, target, op);
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
