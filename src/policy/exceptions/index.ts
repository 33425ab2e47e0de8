// Policy exceptions: named, owned, approved, always expiring. The pure functions are the seam the
// live decision and the offline `policy check` share.
export type { ActiveException, ExceptionScope, ExceptionStatus, ExceptionTarget, PolicyException } from './types.ts';
export { isExceptionActive, exceptionStatus, exceptionsApplying, scopeMatches } from './exceptions-applying.ts';
export { globMatch } from './glob.ts';
export type { ExceptionRepo } from './exception-repo.ts';
export { createException, EXCEPTION_CREATE_ACTION, EXCEPTION_MAX_TTL_DEFAULT, type ExceptionDeps } from './create-exception.ts';
export { revokeException, EXCEPTION_REVOKE_ACTION } from './revoke-exception.ts';
export { listExceptions, EXCEPTION_STATUSES } from './list-exceptions.ts';
export { exceptionDebt, type ExceptionDebt } from './exception-debt.ts';
export { createExceptionRuntime, EXCEPTION_RELOAD_MS, type ExceptionRuntime } from './exception-runtime.ts';
export { exceptionsYaml } from './export-exceptions.ts';
export { auditRefusal } from './audit-refusal.ts';
