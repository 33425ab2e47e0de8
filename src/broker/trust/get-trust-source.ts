import { findSource } from './operation.ts';
import type { TrustRuntime } from './trust-runtime.ts';
import type { TrustSource } from './types.ts';

/** One source by name; ERR_NOT_FOUND when there is none. */
export async function getTrustSource(deps: Pick<TrustRuntime, 'store'>, name: unknown): Promise<TrustSource> {
  return findSource(deps, name);
}
