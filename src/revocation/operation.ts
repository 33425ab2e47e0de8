// What every revocation operation shares: its dependencies and the audit trail of refusals.
import { auditRefusal as auditRefusalIn } from '../audit/index.ts';
import type { PrincipalRepo } from '../access/index.ts';
import type { IdentityRepo } from '../identity/index.ts';
import type { StaticKeyRepo } from '../identity/static-keys/index.ts';
import type { Clock } from '../shared/clock.ts';
import type { RequestContext } from '../shared/context.ts';
import type { UnitOfWork } from '../shared/tx.ts';
import type { DenyList } from './deny-list.ts';
import type { RevocationRepo } from './revocation-repo.ts';
import type { IssuedJwtDeps } from './verify-issued-jwt.ts';

export interface RevocationDeps extends IssuedJwtDeps {
  store: {
    write: UnitOfWork['write'];
    revocations: RevocationRepo;
    identities: IdentityRepo;
    staticKeys: StaticKeyRepo;
    principals: Pick<PrincipalRepo, 'get'>;
  };
  denyList: DenyList;
  /**
   * The longest any token this server signs can live, seconds: how long a revocation of a bare
   * jti or of a whole identity must be kept so that every token it covers has expired.
   */
  maxTokenTtlSeconds: number;
}


/** Records a refusal as a `denied` audit event (its own unit of work: nothing else was written). */
export async function auditDenied(deps: Pick<RevocationDeps, 'store'>, ctx: RequestContext, action: string,
  target: string | undefined, details: Record<string, unknown>): Promise<void> {
  try {
    await deps.store.write(async (tx) => { tx.audit(ctx, { action, outcome: 'denied', target, details }); });
  } catch {
    // The caller still learns the outcome; a store that cannot record the refusal wrote nothing either.
  }
}

/** Runs an operation; a refusal (TesseraError) is audited as `denied` and rethrown. */
export function auditRefusal<T>(deps: Pick<RevocationDeps, 'store'>, ctx: RequestContext, action: string,
  target: () => string | undefined, op: () => Promise<T>): Promise<T> {
  return auditRefusalIn(deps.store, ctx, action, target, op);
}

const TARGET_MAX = 2048;

/** A printable audit target from untrusted input (bounded so junk cannot bloat the log). */
export function targetOf(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0) return undefined;
  return value.length > TARGET_MAX ? `${value.slice(0, TARGET_MAX)}…` : value;
}
