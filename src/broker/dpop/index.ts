// Sender-constrained tokens: DPoP proofs (RFC 9449) and mTLS certificate binding (RFC 8705).
export type { DpopDeps, DpopOptions, DpopProofInput, DpopProofResult, DpopRuntime, NonceSource, ReplayCache } from './types.ts';
export { DPOP_DEFAULTS } from './types.ts';
export { verifyDpopProof, MAX_PROOF_LENGTH, MAX_JTI_LENGTH } from './verify-dpop-proof.ts';
export { createDpopRuntime, type DpopSharing } from './create-dpop-runtime.ts';
export { createReplayCache } from './replay-cache.ts';
export { createNonceSource } from './nonce-source.ts';
export type { DpopProofRepo } from './dpop-proof-repo.ts';
export { createSharedReplay, dpopProofHash, DPOP_PRUNE_EVERY_MS, type DpopProofStore, type SharedReplay } from './shared-replay.ts';
export { normalizeHtu } from './normalize-htu.ts';
export { accessTokenHash } from './access-token-hash.ts';
export { PROOF_ALGS } from './proof-key.ts';
export { x5tS256 } from './x5t-s256.ts';
export { verifyClientSvid, type ClientSvidDeps, type ClientSvidResult } from './verify-client-svid.ts';
