// Just-in-time elevation: requested, approved by someone else, granted for exactly its window.
export type { ActiveElevation, Elevation, ElevationGrant, ElevationState, ElevationStatus } from './types.ts';
export { elevationStatus, isElevationActive, toActiveElevation } from './types.ts';
export type { ElevationRepo } from './elevation-repo.ts';
export { requestElevation, ELEVATION_DURATION_DEFAULT, ELEVATION_DURATION_MAX, ELEVATION_REQUEST_ACTION, type ElevationDeps } from './request-elevation.ts';
export { approveElevation, denyElevation, ELEVATION_APPROVE_ACTION, ELEVATION_DENY_ACTION } from './decide-elevation.ts';
export { revokeElevation, ELEVATION_REVOKE_ACTION } from './revoke-elevation.ts';
export { listElevations, ELEVATION_STATUSES, ELEVATION_LIST_MAX } from './list-elevations.ts';
export { activeElevations } from './active-elevations.ts';
export { REQUIRE_ELEVATION_POLICY } from './elevation-policy.ts';
