// Revocation: a token (by jti), every token of an identity, or a static key, revoked durably and
// in force at once; the in-memory deny list verification consults; RFC 7662 introspection and
// RFC 7009 revocation; the deny-list feed SDKs poll.
export type { Revocation, RevocationKind, NewRevocation } from './types.ts';
export { REVOCATION_KINDS } from './types.ts';
export type { RevocationRepo } from './revocation-repo.ts';
export type { RevocationDeps } from './operation.ts';
export { createDenyList, type DenyList, type RevocationCheck } from './deny-list.ts';
export { createRevocation, REASON_MAX, type CreateRevocationInput, type CreatedRevocation } from './create-revocation.ts';
export { listRevocations, FEED_LIMIT_DEFAULT, FEED_LIMIT_MAX, type RevocationFeedPage } from './list-revocations.ts';
export { introspectToken, type Introspection, type IntrospectDeps, type IntrospectionTokenType } from './introspect-token.ts';
export { revokeToken, type RevokeTokenResult } from './revoke-token.ts';
export { verifyIssuedJwt, type IssuedJwt, type IssuedJwtType, type IssuedJwtDeps, type VerifyIssuedJwtResult } from './verify-issued-jwt.ts';
export { startDenyList, DENY_LIST_POLL_MS } from './start-deny-list.ts';
