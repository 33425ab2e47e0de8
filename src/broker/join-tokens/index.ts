// Join tokens: single-use, short-lived, stored hashed; the proof for a node or agent that has no
// other. Redeemed through token exchange (src/broker/exchange).
export type { JoinToken, JoinTokenStatus } from './types.ts';
export { joinTokenStatus } from './types.ts';
export type { JoinTokenRepo } from './join-token-repo.ts';
export { JOIN_TOKEN_PREFIX, JOIN_TOKEN_PATTERN, generateJoinToken, hashJoinToken } from './format.ts';
export { createJoinToken, JOIN_TOKEN_TTL_DEFAULT, JOIN_TOKEN_TTL_MAX, JOIN_TOKEN_ACTION, type JoinTokenDeps, type CreatedJoinToken } from './create-join-token.ts';
export { listJoinTokens, JOIN_TOKEN_LIST_DEFAULT, JOIN_TOKEN_LIST_MAX, type ListJoinTokensInput } from './list-join-tokens.ts';
export { findJoinToken, type FoundJoinToken } from './find-join-token.ts';
