import type { RequestContext } from '../shared/context.ts';
import type { Identity } from './types.ts';
import { findIdentity, type IdentityDeps } from './operation.ts';

/** Reads one identity by its id or its SPIFFE ID; ERR_NOT_FOUND when there is none. */
export async function getIdentity(deps: Pick<IdentityDeps, 'store'>, _ctx: RequestContext, ref: unknown): Promise<Identity> {
  return findIdentity(deps, ref);
}
