// The HTTP side of the failed-authentication limit (src/access/failure-limiter.ts), shared by the
// authenticated routes and the token endpoint: refuse a blocked address before any verification,
// and count a refusal, returning the one audit event a window gets when the limit is crossed.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { TesseraError } from '../shared/errors.ts';
import type { AuditEventInput } from '../shared/tx.ts';
import type { Services } from './services.ts';

export function refuseIfBlocked(s: Services, req: FastifyRequest, reply: FastifyReply): void {
  const now = s.clock.now();
  if (!s.authFailures.blocked(req.ip, now)) return;
  reply.header('retry-after', String(s.authFailures.retryAfter(req.ip, now)));
  throw new TesseraError('ERR_RATE_LIMITED', 'too many refused requests from this address; retry later', { rule: 'authFailuresPerMinute' });
}

/** Counts one refusal; the `auth.rate-limited` event to record when it crossed the limit, else undefined. */
export function countRefusal(s: Services, req: FastifyRequest, route: string): AuditEventInput | undefined {
  if (s.authFailures.fail(req.ip, s.clock.now()) !== 'first-block') return undefined;
  return { action: 'auth.rate-limited', outcome: 'denied', details: { route, limit: s.config.authFailuresPerMinute, window: '1m' } };
}
