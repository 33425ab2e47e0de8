import type { ErrorCode } from '../shared/errors.ts';

// The one place where error codes become HTTP statuses.
const STATUS: Partial<Record<ErrorCode, number>> = {
  ERR_INVALID_INPUT: 400,
  ERR_INVALID_SPIFFE_ID: 400,
  ERR_TRUST_DOMAIN_MISMATCH: 400,
  ERR_INVALID_DURATION: 400,
  ERR_INVALID_CSR: 400,
  ERR_UNSUPPORTED_KEY: 400,
  ERR_OWNER_REQUIRED: 400,
  ERR_TTL_ABOVE_TIER_MAX: 400,
  ERR_ENVIRONMENT_IMMUTABLE: 400,
  ERR_EXCEPTION_EXPIRY_REQUIRED: 400,
  ERR_STATIC_EXCEPTION_REQUIRED: 400,
  ERR_STATIC_KEY_OUTLIVES_EXCEPTION: 400,
  ERR_UNSUPPORTED_MEDIA_TYPE: 415,
  ERR_BODY_TOO_LARGE: 413,
  ERR_NOT_FOUND: 404,
  ERR_CONFLICT: 409,
  ERR_PRECONDITION_FAILED: 412,
  ERR_IDENTITY_SHARED_ACROSS_ENVIRONMENTS: 409,
  ERR_IDENTITY_DISABLED: 409,
  ERR_UNAUTHENTICATED: 401,
  ERR_INVALID_CLIENT: 401,
  ERR_FORBIDDEN: 403,
  ERR_SELF_APPROVAL: 403,
  ERR_DENIED: 403,
  ERR_INVALID_GRANT: 400,
  ERR_REPLAYED: 400,
  ERR_INVALID_SCOPE: 400,
  ERR_INVALID_TARGET: 400,
  ERR_INVALID_DPOP_PROOF: 400,
  ERR_USE_DPOP_NONCE: 400,
  ERR_UNSUPPORTED_GRANT_TYPE: 400,
  ERR_STORE_UNAVAILABLE: 503,
  ERR_RATE_LIMITED: 429,
};

// RFC 6749 §5.2 error values for /oauth2/* endpoints.
const OAUTH: Partial<Record<ErrorCode, string>> = {
  ERR_INVALID_INPUT: 'invalid_request',
  ERR_UNSUPPORTED_MEDIA_TYPE: 'invalid_request',
  ERR_BODY_TOO_LARGE: 'invalid_request',
  ERR_INVALID_GRANT: 'invalid_grant',
  ERR_REPLAYED: 'invalid_grant',
  ERR_INVALID_SCOPE: 'invalid_scope',
  ERR_INVALID_TARGET: 'invalid_target',
  ERR_INVALID_DPOP_PROOF: 'invalid_dpop_proof',
  ERR_USE_DPOP_NONCE: 'use_dpop_nonce',
  ERR_INVALID_CLIENT: 'invalid_client',
  ERR_UNAUTHENTICATED: 'invalid_client',
  ERR_UNSUPPORTED_GRANT_TYPE: 'unsupported_grant_type',
  ERR_FORBIDDEN: 'unauthorized_client',
  ERR_DENIED: 'unauthorized_client',
  ERR_RATE_LIMITED: 'temporarily_unavailable',
};

export function statusOf(code: ErrorCode): number {
  return STATUS[code] ?? 500;
}

export function oauthErrorOf(code: ErrorCode): string {
  return OAUTH[code] ?? (statusOf(code) >= 500 ? 'server_error' : 'invalid_request');
}
