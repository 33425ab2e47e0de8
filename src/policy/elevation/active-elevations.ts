import type { ElevationRepo } from './elevation-repo.ts';
import { isElevationActive, toActiveElevation, type ActiveElevation } from './types.ts';

/**
 * The grants decide() sees for a subject: read from the store at decision time and filtered
 * against the decision's clock, so a grant exists for exactly its window and a revoke takes
 * effect at the next decision.
 */
export async function activeElevations(repo: Pick<ElevationRepo, 'activeFor'>, subject: string, now: number): Promise<ActiveElevation[]> {
  return (await repo.activeFor(subject, now)).filter((e) => isElevationActive(e, now)).map(toActiveElevation);
}
