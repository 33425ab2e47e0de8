/** RFC 8693 §2.1. */
export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';

/** RFC 8693 §3 token type identifiers. */
export const TOKEN_TYPE_JWT = 'urn:ietf:params:oauth:token-type:jwt';
export const TOKEN_TYPE_ID_TOKEN = 'urn:ietf:params:oauth:token-type:id_token';
export const TOKEN_TYPE_ACCESS_TOKEN = 'urn:ietf:params:oauth:token-type:access_token';
/** Tessera's own identifier for its single-use join tokens (tjt_…). */
export const TOKEN_TYPE_JOIN_TOKEN = 'urn:tessera:params:oauth:token-type:join-token';

/** What a subject or actor token may be. */
export const SUBJECT_TOKEN_TYPES: readonly string[] = [TOKEN_TYPE_JWT, TOKEN_TYPE_ID_TOKEN, TOKEN_TYPE_JOIN_TOKEN];
/** What may be requested: an RFC 9068 access token or a JWT-SVID. */
export const REQUESTED_TOKEN_TYPES: readonly string[] = [TOKEN_TYPE_ACCESS_TOKEN, TOKEN_TYPE_JWT];

/** The one audit action of every exchange, allowed or refused. */
export const EXCHANGE_ACTION = 'token.exchange';

/** RFC 9068 §2.1. */
export const ACCESS_TOKEN_TYP = 'at+jwt';

/** At most this many targets (audience + resource values) per request. */
export const TARGETS_MAX = 16;
export const TARGET_MAX_LENGTH = 256;
export const SCOPE_MAX_LENGTH = 1024;
