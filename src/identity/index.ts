// The identity registry's public surface: other capabilities, http/ and cli/ import from here.
export type { Identity, IdentityFilter, Page, StaticCredentialException, Tier } from './types.ts';
export type { IdentityRepo } from './identity-repo.ts';
export type { IdentityDeps, IdentityAction } from './operation.ts';
export { createIdentity, type CreateIdentityInput } from './create-identity.ts';
export { updateIdentity, type UpdateIdentityInput } from './update-identity.ts';
export { disableIdentity } from './disable-identity.ts';
export { enableIdentity } from './enable-identity.ts';
export { deleteIdentity } from './delete-identity.ts';
export { getIdentity } from './get-identity.ts';
export { listIdentities, parseLabelSelectors, LIST_LIMIT_DEFAULT, LIST_LIMIT_MAX, type ListIdentitiesInput } from './list-identities.ts';
export { TIER_MAX_TTL, TIERS } from './guardrails.ts';
export { effectiveTtl, type EffectiveTtlInput } from './effective-ttl.ts';
export { findIdentityToIssue, requireEnabled, IDENTITY_REF_MAX } from './find-identity-to-issue.ts';
export { createIdentityCache, mayChangeState, IDENTITY_CACHE_TTL_MS, type IdentityCache } from './identity-cache.ts';
