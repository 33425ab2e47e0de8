// The access decision's inputs and output. Plain data: policy files, exceptions and elevation
// sit behind this seam without changing its callers.
import type { ActiveException } from './exceptions/types.ts';

/**
 * What a decision is about. The built-in actions are named; deployments may name their own
 * (a policy's match.actions is a list of globs), hence the open string.
 */
export type PolicyAction = 'token.exchange' | 'identity.create' | 'identity.update' | 'static-key.create' | (string & {});

/** enforce decides; warn and audit never deny, they are reported in the decision's warnings. */
export type PolicyMode = 'enforce' | 'warn' | 'audit';

/** Where the proof of the subject came from. */
export interface SubjectSource {
  /** 'oidc' (an external issuer's token), 'join-token', 'jwt-svid' (a Tessera JWT-SVID), or 'api' (an admin call: identity lifecycle). */
  kind: 'oidc' | 'join-token' | 'jwt-svid' | 'api';
  /** the trust source's name, the join token's id, this server's issuer, or the calling principal */
  name: string;
  /** The environment the source is trusted for (trust sources carry one); absent when none. */
  environment?: string | undefined;
}

export interface DecisionSubject {
  spiffeId: string;
  owner: string;
  environment: string;
  tier: number;
  labels: Record<string, string>;
  enabled: boolean;
  /** The verified claims of the presented proof (attestation claims); empty for admin calls. */
  claims: Record<string, unknown>;
  source: SubjectSource;
  /** The trust binding that mapped the proof to the identity, when there was one. */
  binding?: string | undefined;
  /** The identity's maximum credential lifetime, seconds (identity lifecycle decisions). */
  maxTtlSeconds?: number | undefined;
  /** The identity's static-credential exception, when it has one (expiresAt: epoch ms). */
  staticException?: { reason: string; expiresAt: number } | undefined;
}

/** An active exception (owned by src/policy/exceptions): neutralises a deny of its policy for its scope. */
export type DecisionException = ActiveException;

export interface DecisionContext {
  /** epoch ms */
  time: number;
  sourceIp?: string | undefined;
  /** Active exceptions: a deny by their policy is neutralised for the scoped subject. */
  exceptions?: readonly DecisionException[] | undefined;
  /** Elevation grants valid now; passed to CEL as context.elevations. */
  elevations?: readonly { role?: string | undefined; audience?: string | undefined; expiresAt: number }[] | undefined;
  /** Anything else a caller wants policies to see (requested token type, actor, …). */
  [key: string]: unknown;
}

export interface DecisionInput {
  subject: DecisionSubject;
  /** Every target named: the audience and resource values of the request. */
  audience: readonly string[];
  action: PolicyAction;
  context: DecisionContext;
  /** What the action creates or touches besides the subject (a static key: { expiresAt }). */
  resource?: Record<string, unknown> | undefined;
}

/** A policy that did not decide but is worth hearing about: warn/audit mode, or an exception used. */
export interface DecisionNote {
  policy: string;
  mode: PolicyMode;
  reason: string;
  /** The exception that neutralised this deny, when that is why it did not decide. */
  exception?: string | undefined;
}

export interface Decision {
  allow: boolean;
  /** Why: the reasons of the deciding policies (denials when refused), never empty. */
  reasons: string[];
  /** The names of the policies that decided. */
  policies: string[];
  /** warn/audit-mode policies that would have denied, and denies neutralised by an exception. */
  warnings: DecisionNote[];
}

/** One policy's part in a decision, for `policy explain`. */
export interface PolicyTrace {
  policy: string;
  effect: 'allow' | 'deny';
  mode: PolicyMode;
  source: string;
  outcome: 'not-applicable' | 'condition-false' | 'condition-true' | 'error';
  /** Why: which match filter missed, or the evaluation error, or the policy's reason. */
  detail: string;
  /** When a deny was neutralised. */
  exception?: string | undefined;
}

export interface Explanation extends Decision {
  trace: PolicyTrace[];
}

export interface PolicyMatch {
  /** globs over action names ("identity.*"); absent: every action */
  actions?: readonly string[] | undefined;
  /** globs over SPIFFE IDs ("*" one path segment, "**" any); absent: every subject */
  identities?: readonly string[] | undefined;
  /** globs over the request's audiences (any one matching); absent: every request */
  audiences?: readonly string[] | undefined;
}

/** A policy as written (the YAML document; JSON over HTTP). */
export interface PolicyDefinition {
  name: string;
  description?: string | undefined;
  owner?: string | undefined;
  effect: 'allow' | 'deny';
  match?: PolicyMatch | undefined;
  /** CEL, evaluating to a bool; true means the policy applies. */
  condition: string;
  mode?: PolicyMode | undefined;
  /** Shorthand for match.actions (built-in and programmatic sets). */
  actions?: readonly PolicyAction[] | undefined;
  /** Said when the policy decides; the description when absent. */
  reason?: string | undefined;
}
