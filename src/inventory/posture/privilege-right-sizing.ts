// Privilege right-sizing: identities that can do anything somewhere, directly or through the
// roles and groups they can assume, join or are bound to.
import { METRIC_DEFINITIONS } from './metric-definitions.ts';
import type { ResolvedPostureOptions } from './posture-options.ts';
import type { GraphSummary } from './graph-summary.ts';
import type { Metric } from './posture-types.ts';

export function privilegeRightSizing(o: ResolvedPostureOptions, graph: GraphSummary): Metric {
  const identities = graph.groups.reduce((s, g) => s + g.identities, 0);
  return {
    id: 'privilege_right_sizing', ...METRIC_DEFINITIONS.privilege_right_sizing,
    value: graph.groups.reduce((s, g) => s + g.wildcard, 0),
    details: { identities, listed: graph.wildcardHolders.length },
    items: graph.wildcardHolders,
    ...(o.groupBy ? { groups: graph.groups.map((g) => ({ group: g.group, value: g.wildcard, numerator: g.wildcard, denominator: g.identities })) } : {}),
  };
}
