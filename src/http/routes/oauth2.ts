import type { FastifyInstance, FastifyRequest } from 'fastify';
import { JWT_BEARER_GRANT } from '../../access/index.ts';
import { MAX_JWS_LENGTH } from '../../ca/index.ts';
import { TesseraError, type ErrorCode } from '../../shared/errors.ts';
import type { Services } from '../services.ts';
import { countRefusal, refuseIfBlocked } from '../auth-failures.ts';
import { TOKEN_EXCHANGE_GRANT } from '../../broker/exchange/index.ts';
import { tokenExchangeHandler } from './oauth2-token-exchange.ts';

type TokenBody = { grant_type: string; assertion?: string; scope?: string } & Record<string, string>;

// RFC 6749 §3.2 requires ignoring unrecognised parameters, so unlike /v1 bodies this schema
// leaves additionalProperties open; every known parameter is still typed and bounded.
const tokenBody = {
  type: 'object',
  required: ['grant_type'],
  properties: {
    grant_type: { type: 'string', minLength: 1, maxLength: 256 },
    assertion: { type: 'string', maxLength: MAX_JWS_LENGTH },
    scope: { type: 'string', maxLength: 1024 },
  },
};

/** Refusals that count toward the failed-authentication limit (a bad request shape does not). */
const REFUSALS: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'ERR_INVALID_GRANT', 'ERR_INVALID_CLIENT', 'ERR_UNAUTHENTICATED', 'ERR_DENIED', 'ERR_FORBIDDEN', 'ERR_REPLAYED', 'ERR_INVALID_DPOP_PROOF',
]);

/** RFC 6749 §4.1.3 and RFC 7523 §2.1: the token request is form-encoded, nothing else. */
async function requireForm(req: FastifyRequest): Promise<void> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    throw new TesseraError('ERR_UNSUPPORTED_MEDIA_TYPE', `content-type: send application/x-www-form-urlencoded${type ? `, not ${type}` : ''}`,
      { field: 'content-type', rule: 'must be application/x-www-form-urlencoded' });
  }
}

/** The OAuth 2.0 token endpoint. Grants are dispatched by grant_type; RFC 8693 joins here later. */
export function oauth2Routes(app: FastifyInstance, s: Services): void {
  const exchange = tokenExchangeHandler(s);
  app.post<{ Body: TokenBody }>('/oauth2/token', {
    config: { auth: 'public' }, onRequest: requireForm, schema: { body: tokenBody },
  }, async (req, reply) => {
    // Refused grants are audited one by one; an address that keeps failing is answered 429 before
    // any verification (and without an audit event each) until its minute ends.
    refuseIfBlocked(s, req, reply);
    try {
      const { grant_type: grant, assertion, scope } = req.body;
      if (grant === TOKEN_EXCHANGE_GRANT) return await exchange(req, reply);
      if (grant !== JWT_BEARER_GRANT) {
        throw new TesseraError('ERR_UNSUPPORTED_GRANT_TYPE', `grant_type: this server supports ${JWT_BEARER_GRANT} and ${TOKEN_EXCHANGE_GRANT}`, { field: 'grant_type', rule: 'supported grant type' });
      }
      const token = await s.access.exchangeAssertion({ assertion, scope }, req.ctx);
      // RFC 6749 §5.1: token responses must not be cached.
      return reply.header('cache-control', 'no-store').header('pragma', 'no-cache').send(token);
    } catch (e) {
      const limited = e instanceof TesseraError && REFUSALS.has(e.code) ? countRefusal(s, req, '/oauth2/token') : undefined;
      if (limited) await s.store.write(async (tx) => tx.audit(req.ctx, limited)).catch((we) => req.log.error({ err: we }, 'could not record a rate limit'));
      throw e;
    }
  });
}
