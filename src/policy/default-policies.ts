import type { PolicyDefinition } from './types.ts';
import { REQUIRE_ELEVATION_POLICY } from './elevation/elevation-policy.ts';

const LIFECYCLE = ['identity.create', 'identity.update'];
const OWNER = 'tessera';

/**
 * The built-in policy set, in CEL like every policy: what a fresh server enforces before anyone
 * writes a policy of their own. The identity guardrails repeat checks src/identity makes in code
 * (defence in depth): a deployment's own deny policies add to them, nothing here can be removed
 * by a policy file (names are unique across sources).
 */
export const DEFAULT_POLICIES: readonly PolicyDefinition[] = [
  {
    name: 'exchange-enabled-identity',
    owner: OWNER,
    effect: 'allow',
    match: { actions: ['token.exchange'] },
    condition: 'subject.enabled',
    description: 'an enabled identity may exchange its proof for a token',
  },
  {
    // A "*" audience is a token every relying party that matches patterns would accept: the
    // opposite of audience scoping. Refused for every tier; tier 1 is where it hurts most.
    name: 'deny-wildcard-audience',
    owner: OWNER,
    effect: 'deny',
    match: { actions: ['token.exchange'] },
    condition: 'audience.exists(a, a.contains("*"))',
    description: 'a wildcard ("*") audience is never granted: name the relying party exactly',
  },
  {
    // A production identity is only as safe as the weakest source that can speak for it: a CI
    // issuer trusted for staging must not be able to mint production tokens.
    name: 'deny-prod-from-untrusted-source',
    owner: OWNER,
    effect: 'deny',
    match: { actions: ['token.exchange'] },
    condition: 'subject.environment == "prod" && subject.source.kind == "oidc" && '
      + '(!has(subject.source.environment) || subject.source.environment != "prod")',
    description: 'a prod identity may only be attested by a trust source trusted for prod',
  },
  {
    // Lifecycle actions are allowed unless a guardrail denies: the guardrails below (and a
    // deployment's own deny policies) are the gate, "no allow" would refuse every registration.
    name: 'allow-identity-lifecycle',
    owner: OWNER,
    effect: 'allow',
    match: { actions: [...LIFECYCLE, 'static-key.create'] },
    condition: 'true',
    description: 'an admin may register and update identities and create static keys within the guardrails',
  },
  {
    name: 'guardrail-owner-required',
    owner: OWNER,
    effect: 'deny',
    match: { actions: LIFECYCLE },
    condition: '!has(subject.owner) || subject.owner.trim() == ""',
    description: 'every identity needs an owner: a team or person answerable for it',
  },
  {
    name: 'guardrail-exception-expiry-required',
    owner: OWNER,
    effect: 'deny',
    match: { actions: LIFECYCLE },
    condition: 'has(subject.staticException) && (!has(subject.staticException.expiresAt) || subject.staticException.expiresAt <= 0)',
    description: 'a static-credential exception must say when it expires',
  },
  {
    name: 'guardrail-tier1-ttl-max-1h',
    owner: OWNER,
    effect: 'deny',
    match: { actions: LIFECYCLE },
    condition: 'subject.tier == 1 && has(subject.maxTtlSeconds) && subject.maxTtlSeconds > 3600',
    description: 'a tier-1 identity\'s credentials live at most 1 h',
  },
  {
    name: 'guardrail-tier1-static-key-expires',
    owner: OWNER,
    effect: 'deny',
    match: { actions: ['static-key.create'] },
    condition: 'subject.tier == 1 && (!has(resource.expiresAt) || resource.expiresAt <= 0)',
    description: 'a tier-1 static key must expire',
  },
  {
    // The registry's unique SPIFFE ID index is the enforcement (one SPIFFE ID, one environment,
    // checked atomically with the insert). This policy states the rule for callers that pass
    // the existing record as context.existing, and for `policy explain`.
    name: 'guardrail-no-shared-identity-across-environments',
    owner: OWNER,
    effect: 'deny',
    match: { actions: LIFECYCLE },
    condition: 'has(context.existing) && context.existing.environment != subject.environment',
    description: 'one SPIFFE ID belongs to one environment: register a separate identity per environment',
  },
  // Just-in-time access: audiences in config elevationAudiences need a running elevation.
  REQUIRE_ELEVATION_POLICY,
];
