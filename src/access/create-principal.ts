import { verifierKeyFromJwk } from '../ca/index.ts';
import type { Clock } from '../shared/clock.ts';
import { ROLES, type RequestContext, type Role } from '../shared/context.ts';
import { TesseraError } from '../shared/errors.ts';
import type { UnitOfWork } from '../shared/tx.ts';
import { PRINCIPAL_ID_PATTERN } from './constants.ts';
import type { Principal, PrincipalRepo } from './principal-repo.ts';

export interface PrincipalDeps {
  store: UnitOfWork & { principals: PrincipalRepo };
  clock: Clock;
}

export interface CreatePrincipalInput {
  id: unknown;
  roles: unknown;
  publicJwk: unknown;
  description?: unknown;
}

const MAX_DESCRIPTION = 1024;
const bad = (field: string, rule: string) => new TesseraError('ERR_INVALID_INPUT', `${field}: ${rule}`, { field, rule });

function validate(input: CreatePrincipalInput): Omit<Principal, 'createdAt' | 'createdBy' | 'disabledAt'> {
  const { id, roles, description } = input;
  if (typeof id !== 'string' || !PRINCIPAL_ID_PATTERN.test(id)) {
    throw bad('id', 'must be 1..128 characters of a-z, 0-9, ".", "_", ":", "/", "-"');
  }
  if (!Array.isArray(roles) || roles.length === 0) throw bad('roles', `must be a non-empty list of ${ROLES.join(', ')}`);
  const unknown = roles.find((r) => typeof r !== 'string' || !(ROLES as readonly string[]).includes(r));
  if (unknown !== undefined) throw bad('roles', `${JSON.stringify(unknown)?.slice(0, 64)} is not a role (known: ${ROLES.join(', ')})`);
  if (description !== undefined && (typeof description !== 'string' || description.length > MAX_DESCRIPTION)) {
    throw bad('description', `must be a string of at most ${MAX_DESCRIPTION} characters`);
  }
  const key = verifierKeyFromJwk(input.publicJwk, 'publicJwk');
  return { id, roles: [...new Set(roles as Role[])], publicJwk: key.jwk, jwkThumbprint: key.thumbprint, description: (description as string | undefined) ?? '' };
}

/**
 * Registers a principal that may sign RFC 7523 assertions with the given public key. Refusals
 * are audited too (principal.create, denied), and change nothing else.
 */
export async function createPrincipal(deps: PrincipalDeps, ctx: RequestContext, input: CreatePrincipalInput): Promise<Principal> {
  const { store, clock } = deps;
  let p: Principal;
  try {
    p = { ...validate(input), createdAt: clock.now(), createdBy: ctx.actor.id, disabledAt: null };
    await store.write(async (tx) => {
      await store.principals.insert(tx, p);
      tx.audit(ctx, { action: 'principal.create', outcome: 'success', target: p.id, details: { roles: p.roles, jwkThumbprint: p.jwkThumbprint } });
    });
  } catch (e) {
    if (e instanceof TesseraError) {
      await store.write(async (tx) => tx.audit(ctx, {
        action: 'principal.create', outcome: 'denied', target: typeof input.id === 'string' ? input.id.slice(0, 128) : undefined,
        details: { code: e.code, reason: e.message },
      }));
    }
    throw e;
  }
  return p;
}
