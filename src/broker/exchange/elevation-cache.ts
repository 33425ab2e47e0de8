// The running elevations of each exchange subject, kept in memory: every exchange asks, and
// almost every answer is "none". The rule is the identity cache's:
// - any committed audit event that may change state (an elevation approved, denied, revoked…)
//   empties the cache before that change is acknowledged, and a read racing it is not kept;
// - changes made by another server sharing the database are seen within ELEVATION_CACHE_TTL_MS,
//   the bound the exception and trust-source runtimes already use;
// - the window is never cached: rows are filtered against the clock of each decision, so a grant
//   applies exactly from its start to its end.
// A grant approved on this server starts at its approval, which empties the cache: no grant
// whose window opens later than a cached read can be missed beyond that bound.
import type { Clock } from '../../shared/clock.ts';
import { isElevationActive, toActiveElevation, type ActiveElevation, type Elevation, type ElevationRepo } from '../../policy/elevation/index.ts';

export const ELEVATION_CACHE_TTL_MS = 5_000;
const CACHE_MAX = 10_000;

export interface ElevationCache {
  /** The subject's elevations active at `now`, as decide() sees them. */
  active(subject: string, now: number): Promise<ActiveElevation[]>;
  invalidate(): void;
}

export function createElevationCache(repo: Pick<ElevationRepo, 'activeFor'>, clock: Clock, ttlMs = ELEVATION_CACHE_TTL_MS): ElevationCache {
  const bySubject = new Map<string, { rows: readonly Elevation[]; at: number }>();
  let generation = 0;
  return {
    async active(subject, now) {
      const at = clock.now();
      const hit = bySubject.get(subject);
      let rows: readonly Elevation[];
      // Only a read made at or before the decision's time can stand for it.
      if (hit && at - hit.at < ttlMs && hit.at <= now) {
        rows = hit.rows;
      } else {
        const gen = generation;
        rows = await repo.activeFor(subject, now);
        if (gen === generation) {
          if (bySubject.size >= CACHE_MAX) bySubject.clear();
          bySubject.set(subject, { rows, at: now });
        }
      }
      return rows.filter((e) => isElevationActive(e, now)).map(toActiveElevation);
    },
    invalidate() { generation++; bySubject.clear(); },
  };
}
