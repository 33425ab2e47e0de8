import type { Clock } from '../../shared/clock.ts';
import { checkFields } from '../../shared/check-fields.ts';
import type { RequestContext } from '../../shared/context.ts';
import { formatDuration, parseDuration } from '../../shared/duration.ts';
import { TesseraError, invalid } from '../../shared/errors.ts';
import type { UnitOfWork } from '../../shared/tx.ts';
import type { PrincipalRepo } from '../../access/principal-repo.ts';
import { auditRefusal } from './audit-refusal.ts';
import type { ExceptionRepo } from './exception-repo.ts';
import type { ExceptionScope, PolicyException } from './types.ts';

export interface ExceptionDeps {
  store: { exceptions: ExceptionRepo; principals: Pick<PrincipalRepo, 'get'>; write: UnitOfWork['write'] };
  clock: Clock;
  /** config exceptionMaxTtl, seconds: no exception may live longer. */
  maxTtl: number;
  /** Called after a change commits (the live list reloads). */
  changed?: (() => void | Promise<void>) | undefined;
}

export const EXCEPTION_MAX_TTL_DEFAULT = 30 * 86_400;
export const EXCEPTION_CREATE_ACTION = 'exception.create';
const FIELDS = ['name', 'policy', 'scope', 'reason', 'owner', 'approver', 'expiresAt', 'expiresIn'];
const SCOPE_FIELDS = ['identity', 'namespace', 'kind', 'name'];
const NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;
const POLICY = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/;
const SCOPE_VALUE = /^[A-Za-z0-9*][A-Za-z0-9._*-]{0,252}$/;

function text(body: Record<string, unknown>, field: string, max: number): string {
  const v = body[field];
  if (typeof v !== 'string' || v.trim().length === 0) throw invalid(field, 'is required');
  if (v.length > max) throw invalid(field, `must be at most ${max} characters`);
  return v;
}

function checkScope(v: unknown): ExceptionScope {
  const s = checkFields(v, SCOPE_FIELDS, { field: 'scope', required: 'is required: an object with identity, or namespace/kind/name' });
  const out: ExceptionScope = {};
  for (const k of SCOPE_FIELDS as (keyof ExceptionScope)[]) {
    const x = s[k];
    if (x === undefined) continue;
    if (typeof x !== 'string' || x.length === 0) throw invalid(`scope.${k}`, 'must be a non-empty string');
    if (k === 'identity') {
      if (!x.startsWith('spiffe://') || x.length > 2048 || /\s/.test(x)) throw invalid('scope.identity', 'must be a SPIFFE ID or a glob of them (spiffe://…)');
    } else if (!SCOPE_VALUE.test(x)) {
      throw invalid(`scope.${k}`, 'must be a Kubernetes name (letters, digits, ".", "-", "*")');
    }
    out[k] = x;
  }
  if (Object.keys(out).length === 0) throw invalid('scope', 'must name an identity, or a namespace/kind/name: an exception for everything is not an exception');
  if (out.identity !== undefined && (out.namespace ?? out.kind ?? out.name) !== undefined) {
    throw invalid('scope', 'identity cannot be combined with namespace/kind/name');
  }
  return out;
}

/** The expiry: mandatory, in the future, and no further away than maxTtl. */
function checkExpiry(body: Record<string, unknown>, now: number, maxTtl: number): number {
  const { expiresAt, expiresIn } = body;
  if (expiresAt === undefined && expiresIn === undefined) {
    throw new TesseraError('ERR_EXCEPTION_EXPIRY_REQUIRED', `expiresAt: is required: every exception expires (at most ${formatDuration(maxTtl)} from now)`,
      { field: 'expiresAt', rule: 'required' });
  }
  if (expiresAt !== undefined && expiresIn !== undefined) throw invalid('expiresIn', 'give expiresAt or expiresIn, not both');
  let at: number;
  let field = 'expiresAt';
  if (expiresIn !== undefined) {
    field = 'expiresIn';
    at = now + parseDuration(expiresIn, 'expiresIn') * 1000;
  } else {
    at = typeof expiresAt === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(expiresAt) ? Date.parse(expiresAt) : NaN;
    if (!Number.isFinite(at)) throw invalid('expiresAt', 'must be an RFC 3339 date-time such as 2026-01-31T00:00:00Z');
  }
  if (at <= now) throw invalid(field, 'must be in the future');
  if (at > now + maxTtl * 1000) {
    throw new TesseraError('ERR_INVALID_DURATION', `${field}: an exception lives at most ${formatDuration(maxTtl)} (config exceptionMaxTtl); renew it when it expires`,
      { field, rule: `at most ${formatDuration(maxTtl)}` });
  }
  return at;
}

/** Creates a named, owned, approved and expiring exception to one policy or rule. */
export async function createException(deps: ExceptionDeps, ctx: RequestContext, input: unknown): Promise<PolicyException> {
  let target: string | undefined;
  try {
    const body = checkFields(input, FIELDS);
    const name = text(body, 'name', 64);
    target = `exception:${name}`;
    if (!NAME.test(name)) throw invalid('name', 'must be 1-64 lowercase letters, digits or dashes');
    const policy = text(body, 'policy', 128);
    if (!POLICY.test(policy)) throw invalid('policy', 'must be a policy or rule name');
    const scope = checkScope(body.scope);
    const reason = text(body, 'reason', 1024);
    const owner = text(body, 'owner', 256);
    const approver = text(body, 'approver', 256);
    const now = deps.clock.now();
    const expiresAt = checkExpiry(body, now, deps.maxTtl);
    if (approver === ctx.actor.id) {
      throw new TesseraError('ERR_SELF_APPROVAL', 'approver: an exception is approved by someone other than its creator',
        { field: 'approver', rule: 'not the creator' });
    }
    if (!(await deps.store.principals.get(approver))) {
      throw new TesseraError('ERR_NOT_FOUND', `approver: no principal ${approver}`, { field: 'approver', rule: 'a registered principal' });
    }
    const e: PolicyException = {
      name, policy, scope, reason, owner, approver, createdAt: now, createdBy: ctx.actor.id, expiresAt, revokedAt: null, revokedBy: null,
    };
    await deps.store.write(async (tx) => {
      if (!(await deps.store.exceptions.insert(tx, e))) {
        throw new TesseraError('ERR_CONFLICT', `name: exception ${name} exists; exceptions are not reused, pick another name`, { field: 'name', rule: 'unique' });
      }
      tx.audit(ctx, {
        action: EXCEPTION_CREATE_ACTION, outcome: 'success', target,
        details: { name, policy, scope, reason, owner, approver, expiresAt: new Date(expiresAt).toISOString() },
      });
    });
    // Awaited: this server's next decision already sees the change.
    await deps.changed?.();
    return e;
  } catch (e) {
    return auditRefusal(deps.store, ctx, EXCEPTION_CREATE_ACTION, target, e);
  }
}
