import type { TrustRuntime } from './trust-runtime.ts';
import type { TrustSource } from './types.ts';

/** Every source, by name (there are few: one per cluster or CI system). */
export async function listTrustSources(deps: Pick<TrustRuntime, 'store'>): Promise<TrustSource[]> {
  return deps.store.trustSources.list();
}
