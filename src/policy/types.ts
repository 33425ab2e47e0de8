// The access decision's inputs and output. Plain data: the policy issue adds policy files,
// exceptions and elevation on top of this seam without changing its callers.

/** What an access decision is about: always an action on a registered identity. */
export type PolicyAction = 'token.exchange';

/** Where the proof of the subject came from. */
export interface SubjectSource {
  /** 'oidc' (an external issuer's token), 'join-token', or 'jwt-svid' (a Tessera JWT-SVID). */
  kind: 'oidc' | 'join-token' | 'jwt-svid';
  /** the trust source's name, the join token's id, or this server's issuer */
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
  /** The verified claims of the presented proof (attestation claims). */
  claims: Record<string, unknown>;
  source: SubjectSource;
  /** The trust binding that mapped the proof to the identity, when there was one. */
  binding?: string | undefined;
}

export interface DecisionContext {
  /** epoch ms */
  time: number;
  sourceIp?: string | undefined;
  /** Anything else a caller wants policies to see (requested token type, actor, …). */
  [key: string]: unknown;
}

export interface DecisionInput {
  subject: DecisionSubject;
  /** Every target named: the audience and resource values of the request. */
  audience: readonly string[];
  action: PolicyAction;
  context: DecisionContext;
}

export interface Decision {
  allow: boolean;
  /** Why: the reasons of the deciding policies (denials when refused), never empty. */
  reasons: string[];
  /** The names of the policies that decided. */
  policies: string[];
}

/** A policy as written: one CEL condition over subject, audience, action and context. */
export interface PolicyDefinition {
  name: string;
  effect: 'allow' | 'deny';
  /** The actions it applies to. */
  actions: readonly PolicyAction[];
  /** CEL, evaluating to a bool; true means the policy applies. */
  condition: string;
  /** Said when the policy decides. */
  reason: string;
}
