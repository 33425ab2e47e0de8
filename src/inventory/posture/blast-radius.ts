// Blast radius: what one stolen identity reaches, following role assumption, group membership
// and RBAC bindings as a graph.
import { METRIC_DEFINITIONS } from './metric-definitions.ts';
import type { ResolvedPostureOptions } from './posture-options.ts';
import type { GraphSummary } from './graph-summary.ts';
import type { Metric } from './posture-types.ts';

export function blastRadius(o: ResolvedPostureOptions, graph: GraphSummary): Metric {
  const identities = graph.groups.reduce((s, g) => s + g.identities, 0);
  return {
    id: 'blast_radius', ...METRIC_DEFINITIONS.blast_radius,
    value: identities === 0 ? null : Math.max(...graph.groups.map((g) => g.top)),
    details: { identities },
    items: graph.widest,
    ...(o.groupBy ? { groups: graph.groups.map((g) => ({ group: g.group, value: g.top, denominator: g.identities })) } : {}),
  };
}
