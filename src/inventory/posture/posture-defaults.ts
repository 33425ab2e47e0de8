// Thresholds the posture metrics and hygiene lists use unless the caller overrides them.
// Which privileges are sensitive is not decided here: each importer flags it on the privilege
// row (inventory_privileges.sensitive) from the platform's own semantics.

/** Rotation limits in days per tier; `default` applies to credentials with no or another tier. */
export interface RotationDays {
  readonly [tier: string]: number;
  readonly default: number;
}

export interface PostureDefaults {
  /** An item not used for this many days is listed as unused. */
  readonly unusedDays: number;
  readonly rotationDays: RotationDays;
  /**
   * Sources whose exports record when each item was last used. Only for these does a missing
   * last-used date mean "never used": Actions secrets, Vault entries, Kubernetes token Secrets,
   * GCP keys and IAM users (authorization details has no last use for users) carry none, and
   * calling all of them unused would bury the real findings. An identity with no date of its own
   * is still judged by its credentials' use.
   */
  readonly usageSources: readonly string[];
  /** Longest chain of can-assume / member-of / bound-to edges followed from one identity. */
  readonly maxDepth: number;
  /** Wildcard holders listed under the right-sizing metric (the count covers all of them). */
  readonly rightSizingLimit: number;
  /** Identities listed under the blast-radius metric. */
  readonly blastRadiusTop: number;
}

export const POSTURE_DEFAULTS: PostureDefaults = Object.freeze({
  unusedDays: 90,
  rotationDays: Object.freeze({ '1': 90, '2': 180, '3': 365, default: 365 }),
  usageSources: Object.freeze(['aws-credential-report', 'github-deploy-keys']),
  maxDepth: 10,
  rightSizingLimit: 100,
  blastRadiusTop: 10,
});

export const DAY_MS = 86_400_000;
