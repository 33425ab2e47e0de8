import type { PolicyDefinition } from './types.ts';

/**
 * The built-in policy set, in CEL like every policy: what a fresh server enforces before anyone
 * writes a policy of their own. Deliberately small; policy files (issue 5) extend it.
 */
export const DEFAULT_POLICIES: readonly PolicyDefinition[] = [
  {
    name: 'exchange-enabled-identity',
    effect: 'allow',
    actions: ['token.exchange'],
    condition: 'subject.enabled',
    reason: 'an enabled identity may exchange its proof for a token',
  },
  {
    // A "*" audience is a token every relying party that matches patterns would accept: the
    // opposite of audience scoping. Refused for every tier; tier 1 is where it hurts most.
    name: 'deny-wildcard-audience',
    effect: 'deny',
    actions: ['token.exchange'],
    condition: 'audience.exists(a, a.contains("*"))',
    reason: 'a wildcard ("*") audience is never granted: name the relying party exactly',
  },
  {
    // A production identity is only as safe as the weakest source that can speak for it: a CI
    // issuer trusted for staging must not be able to mint production tokens.
    name: 'deny-prod-from-untrusted-source',
    effect: 'deny',
    actions: ['token.exchange'],
    condition: 'subject.environment == "prod" && subject.source.kind == "oidc" && '
      + '(!has(subject.source.environment) || subject.source.environment != "prod")',
    reason: 'a prod identity may only be attested by a trust source trusted for prod',
  },
];
