// Each metric's title and exact rule, in one place: computePosture returns this text with the
// value and docs/posture.md repeats it word for word (a test keeps the two in step).
import type { MetricId, MetricUnit } from './posture-types.ts';

export interface MetricDefinition { title: string; definition: string; unit: MetricUnit }

export const METRIC_DEFINITIONS: Readonly<Record<MetricId, MetricDefinition>> = Object.freeze({
  static_credential_ratio: {
    title: 'Static credential ratio',
    definition: 'Active long-lived credentials divided by all active credentials (current credential rows with active = 1 and long_lived = 1, over current credential rows with active = 1, so federated roles and short-lived SVIDs count in the denominator only); null when there is no active credential.',
    unit: 'ratio',
  },
  credential_half_life_days: {
    title: 'Credential half-life',
    definition: 'The median age in days of active credentials, where age = now − COALESCE(last_rotated_at, created_at); credentials with neither date are left out and counted in details.undated, and the value is null when no active credential has a date.',
    unit: 'days',
  },
  ownership_coverage: {
    title: 'Identity ownership coverage',
    definition: 'The percentage of active principals (identities other than groups and permission sets) that have both a named owner and a service mapping (a service value, or a workload link in the correlation table); null when there is no active principal.',
    unit: 'percent',
  },
  privilege_right_sizing: {
    title: 'Privilege right-sizing',
    definition: 'The number of active principals (identities other than groups and permission sets) that hold a wildcard privilege, their own or one of any active item they reach through can-assume, member-of and bound-to edges (at most 10 steps), listed tier 1 first and then by the number of sensitive privileges they reach.',
    unit: 'count',
  },
  revocation_mttr_ms: {
    title: 'Revocation MTTR',
    definition: 'The mean of revoked_at − detected_at in milliseconds over Tessera\'s revocation records (only those revoked at or after `since` when it is given), with the median and the count in details; null when there is no record.',
    unit: 'ms',
  },
  blast_radius: {
    title: 'Blast radius',
    definition: 'For each active principal (an identity other than a group or permission set), the number of distinct sensitive (action, resource) privileges held by it or by any active item it reaches through can-assume, member-of and bound-to edges (at most 10 steps); the value is the largest of these numbers and items lists the 10 highest.',
    unit: 'count',
  },
  exception_debt: {
    title: 'Policy exception debt',
    definition: 'The number of open policy exceptions (not revoked and expiring after now), with their mean and maximum age in days (now − created_at) in details.',
    unit: 'count',
  },
});

/** The order metrics are reported in. */
export const METRIC_IDS: readonly MetricId[] = [
  'static_credential_ratio', 'credential_half_life_days', 'ownership_coverage', 'privilege_right_sizing',
  'revocation_mttr_ms', 'blast_radius', 'exception_debt',
];
