// Trust sources: external issuers whose tokens the broker accepts as workload proof, their
// keys, verification, and CEL bindings from verified claims to registered identities.
export type { TrustSource, TrustBinding, TrustKind, ExternalAlg } from './types.ts';
export { TRUST_KINDS, EXTERNAL_ALGS } from './types.ts';
export type { TrustSourceRepo } from './trust-source-repo.ts';
export { createTrustRuntime, SOURCE_TTL_MS, type TrustRuntime, type TrustRuntimeOptions, type TrustStore } from './trust-runtime.ts';
export { JWKS_DEFAULTS, type JwksOptions } from './jwks-cache.ts';
export { verifyExternalToken, type VerifiedExternalToken, type RefusalReason } from './verify-external-token.ts';
export { matchBinding, type BindingMatch, type BindingExplanation } from './match-binding.ts';
export { createTrustSource } from './create-trust-source.ts';
export { updateTrustSource } from './update-trust-source.ts';
export { deleteTrustSource } from './delete-trust-source.ts';
export { getTrustSource } from './get-trust-source.ts';
export { listTrustSources } from './list-trust-sources.ts';
export { testTrustSource, type TrustTestResult } from './test-trust-source.ts';
export { PRESETS, MAX_TOKEN_AGE_CAP_SECONDS } from './presets.ts';
