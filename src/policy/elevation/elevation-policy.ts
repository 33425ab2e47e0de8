import type { PolicyDefinition } from '../types.ts';

/**
 * Audiences listed in config elevationAudiences are only granted inside an approved elevation
 * for that audience. The exchange puts the list in context.elevationAudiences and the subject's
 * running grants in context.elevations.
 */
export const REQUIRE_ELEVATION_POLICY: PolicyDefinition = {
  name: 'deny-audience-without-elevation',
  owner: 'tessera',
  effect: 'deny',
  match: { actions: ['token.exchange'] },
  condition: 'has(context.elevationAudiences) && audience.exists(a, a in context.elevationAudiences && '
    + '!(has(context.elevations) && context.elevations.exists(e, has(e.audience) && e.audience == a)))',
  description: 'this audience is only granted inside an approved elevation (tessera elevation request)',
};
