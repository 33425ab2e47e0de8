import { invalid } from '../../shared/errors.ts';
import { exceptionStatus } from './exceptions-applying.ts';
import type { ExceptionRepo } from './exception-repo.ts';
import type { ExceptionStatus, PolicyException } from './types.ts';

export const EXCEPTION_STATUSES: readonly ExceptionStatus[] = ['active', 'expired', 'revoked'];

/** Exceptions filtered by status (computed against `now`) and policy. */
export async function listExceptions(repo: ExceptionRepo, q: { status?: string | undefined; policy?: string | undefined }, now: number): Promise<PolicyException[]> {
  if (q.status !== undefined && !(EXCEPTION_STATUSES as readonly string[]).includes(q.status)) throw invalid('status', `must be one of ${EXCEPTION_STATUSES.join(', ')}`);
  const all = await repo.list({ policy: q.policy });
  return q.status === undefined ? all : all.filter((e) => exceptionStatus(e, now) === q.status);
}
