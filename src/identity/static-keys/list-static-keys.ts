import type { RequestContext } from '../../shared/context.ts';
import { findIdentity } from '../operation.ts';
import type { Identity } from '../types.ts';
import type { StaticKeyDeps } from './create-static-key.ts';
import type { StaticKey } from './types.ts';

/** An identity holds a handful of keys; this bounds the answer all the same. */
export const STATIC_KEY_LIST_MAX = 1000;

/** The keys of one identity (by id or SPIFFE ID), newest first, revoked and expired ones included. */
export async function listStaticKeys(deps: Pick<StaticKeyDeps, 'store'>, _ctx: RequestContext, identityRef: unknown): Promise<{ identity: Identity; keys: StaticKey[] }> {
  const identity = await findIdentity(deps, identityRef, 'identity');
  return { identity, keys: await deps.store.staticKeys.listByIdentity(identity.id, STATIC_KEY_LIST_MAX) };
}
