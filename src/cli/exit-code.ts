import type { ErrorCode } from '../shared/errors.ts';
import { EXIT } from './io.ts';

// Bad input or usage is exit 2; everything else that fails (denied, unreachable, not found,
// server error) is exit 1.
const USAGE: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'ERR_INVALID_INPUT', 'ERR_INVALID_SPIFFE_ID', 'ERR_TRUST_DOMAIN_MISMATCH', 'ERR_INVALID_DURATION',
  'ERR_INVALID_CSR', 'ERR_UNSUPPORTED_KEY',
  'ERR_UNSUPPORTED_MEDIA_TYPE', 'ERR_BODY_TOO_LARGE', 'ERR_OWNER_REQUIRED', 'ERR_TTL_ABOVE_TIER_MAX',
  'ERR_IDENTITY_SHARED_ACROSS_ENVIRONMENTS', 'ERR_ENVIRONMENT_IMMUTABLE', 'ERR_EXCEPTION_EXPIRY_REQUIRED',
  'ERR_STATIC_EXCEPTION_REQUIRED', 'ERR_STATIC_KEY_OUTLIVES_EXCEPTION',
  'ERR_CONFLICT', 'ERR_CONFIG',
]);

export function exitCodeOf(code: ErrorCode | string): number {
  return USAGE.has(code as ErrorCode) ? EXIT.USAGE : EXIT.FAIL;
}
