// One closed union of error codes. Domain code throws TesseraError with a code; only
// src/http/error-map.ts turns a code into an HTTP status and only src/cli maps it to an exit code.
export type ErrorCode =
  // input
  | 'ERR_INVALID_INPUT'
  | 'ERR_INVALID_SPIFFE_ID'
  | 'ERR_TRUST_DOMAIN_MISMATCH'
  | 'ERR_INVALID_DURATION'
  | 'ERR_UNSUPPORTED_MEDIA_TYPE'
  | 'ERR_BODY_TOO_LARGE'
  | 'ERR_INVALID_CSR'
  | 'ERR_UNSUPPORTED_KEY'
  // governance guardrails
  | 'ERR_OWNER_REQUIRED'
  | 'ERR_TTL_ABOVE_TIER_MAX'
  | 'ERR_IDENTITY_SHARED_ACROSS_ENVIRONMENTS'
  | 'ERR_ENVIRONMENT_IMMUTABLE'
  | 'ERR_EXCEPTION_EXPIRY_REQUIRED'
  | 'ERR_STATIC_EXCEPTION_REQUIRED'
  | 'ERR_STATIC_KEY_OUTLIVES_EXCEPTION'
  // state
  | 'ERR_NOT_FOUND'
  | 'ERR_CONFLICT'
  | 'ERR_PRECONDITION_FAILED'
  | 'ERR_IDENTITY_DISABLED'
  // access
  | 'ERR_UNAUTHENTICATED'
  | 'ERR_FORBIDDEN'
  | 'ERR_SELF_APPROVAL'
  | 'ERR_DENIED'
  | 'ERR_INVALID_GRANT'
  | 'ERR_INVALID_CLIENT'
  | 'ERR_UNSUPPORTED_GRANT_TYPE'
  | 'ERR_REPLAYED'
  | 'ERR_INVALID_SCOPE'
  | 'ERR_INVALID_TARGET'
  | 'ERR_INVALID_DPOP_PROOF'
  | 'ERR_USE_DPOP_NONCE'
  | 'ERR_RATE_LIMITED'
  // config and operations
  | 'ERR_CONFIG'
  | 'ERR_DATA_DIR_LOCKED'
  | 'ERR_KEK'
  | 'ERR_STORE_UNAVAILABLE'
  | 'ERR_AUDIT_CHAIN_BROKEN'
  | 'ERR_SERVER_UNREACHABLE'
  | 'ERR_INTERNAL';

export class TesseraError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;
  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'TesseraError';
    this.code = code;
    this.details = details;
  }
}

export function isTesseraError(e: unknown, code?: ErrorCode): e is TesseraError {
  return e instanceof TesseraError && (code === undefined || e.code === code);
}

/** Shorthand for the most common failure: a named field broke a named rule. */
export function invalid(field: string, rule: string, code: ErrorCode = 'ERR_INVALID_INPUT'): TesseraError {
  return new TesseraError(code, `${field}: ${rule}`, { field, rule });
}
