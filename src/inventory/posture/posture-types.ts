// The shapes computePosture and listHygiene return. Plain data: the CLI prints it, the HTTP
// route serialises it, and posture_history stores one row per metric and group.

export type GroupBy = 'tier' | 'env' | 'owner' | 'source';
export const GROUP_BYS: readonly GroupBy[] = ['tier', 'env', 'owner', 'source'];

/** The group of items whose tier / environment / owner is not set. */
export const UNSET_GROUP = '(unset)';

export type MetricId =
  | 'static_credential_ratio'
  | 'credential_half_life_days'
  | 'ownership_coverage'
  | 'privilege_right_sizing'
  | 'revocation_mttr_ms'
  | 'blast_radius'
  | 'exception_debt';

export type MetricUnit = 'ratio' | 'days' | 'count' | 'ms' | 'percent';

export interface MetricGroup {
  group: string;
  value: number | null;
  numerator?: number;
  denominator?: number;
}

/** An identity behind a metric; `value` is what the metric counts for it. */
export interface MetricItem {
  nativeId: string;
  name: string;
  source: string;
  kind: string;
  owner: string | null;
  tier: string | null;
  environment: string | null;
  /** Right-sizing: sensitive privileges reachable; blast radius: the same, the score itself. */
  value: number;
}

export interface Metric {
  id: MetricId;
  title: string;
  /** One sentence: the exact rule (the same text is in docs/posture.md). */
  definition: string;
  value: number | null;
  unit: MetricUnit;
  groups?: MetricGroup[];
  /** Secondary figures: the median beside a mean, rows left out and why, ages. */
  details?: Record<string, number | null>;
  /** The identities behind the figure, worst first. */
  items?: MetricItem[];
}

export interface Posture {
  generatedAt: number;
  groupBy: GroupBy | null;
  metrics: Metric[];
}

export interface PostureOptions {
  /** Epoch ms the ages and "open"/"expired" are measured against. */
  now: number;
  groupBy?: GroupBy | undefined;
  /** Accepted so one options object serves computePosture and listHygiene; no metric uses it. */
  unusedDays?: number | undefined;
  /** Accepted so one options object serves computePosture and listHygiene; no metric uses it. */
  rotationDays?: Readonly<Record<string, number>> | undefined;
  /** Revocation MTTR counts only revocations made at or after this epoch ms. */
  since?: number | undefined;
  /** How many wildcard holders the right-sizing metric lists (default 100). */
  listLimit?: number | undefined;
}

export type HygieneListId = 'unowned' | 'unused' | 'expired-active' | 'rotation-overdue' | 'shared-environments';
export type HygieneAction = 'disable' | 'rotate' | 'migrate-to-federation' | 'assign-owner' | 'split';

export interface HygieneItem {
  list: HygieneListId;
  nativeId: string;
  name: string;
  source: string;
  category: string;
  kind: string;
  /** The item's owner, else its identity's. */
  owner: string | null;
  environment: string | null;
  tier: string | null;
  parentId: string | null;
  createdAt: number | null;
  lastRotatedAt: number | null;
  lastUsedAt: number | null;
  expiresAt: number | null;
  attributes: Record<string, unknown>;
  reason: string;
  action: HygieneAction;
}

export interface HygieneList {
  id: HygieneListId;
  title: string;
  /** One sentence: the exact rule (the same text is in docs/posture.md). */
  rule: string;
  total: number;
  items: HygieneItem[];
}

export interface Hygiene {
  generatedAt: number;
  unusedDays: number;
  rotationDays: Record<string, number>;
  lists: HygieneList[];
}

export interface HygieneOptions {
  now: number;
  unusedDays?: number | undefined;
  /** Overrides per tier, merged over the defaults. */
  rotationDays?: Readonly<Record<string, number>> | undefined;
  /** Most items returned per list (total still counts all). */
  limit?: number | undefined;
}
