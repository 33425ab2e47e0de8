import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.ts';
import { introspectToken, revokeToken } from '../../revocation/index.ts';
import { MAX_JWS_LENGTH } from '../../ca/index.ts';
import { revocationDeps } from './revocations.ts';

type TokenBody = { token: string; token_type_hint?: string } & Record<string, string>;

// RFC 7662 §2.1 and RFC 7009 §2.1: form parameters; unknown ones (client_id sent by clients
// that authenticate as public clients) are ignored as RFC 6749 §3.2 asks.
const tokenBody = {
  type: 'object',
  required: ['token'],
  properties: {
    token: { type: 'string', minLength: 1, maxLength: MAX_JWS_LENGTH },
    token_type_hint: { type: 'string', maxLength: 64 },
  },
};

/**
 * RFC 7662 introspection and RFC 7009 revocation. Callers authenticate with a Bearer access
 * token; the token in the body is the one asked about.
 */
export function oauth2IntrospectionRoutes(app: FastifyInstance, s: Services): void {
  const deps = revocationDeps(s);

  app.post<{ Body: TokenBody }>('/oauth2/introspect', {
    config: { auth: ['admin', 'auditor', 'workload'] }, schema: { body: tokenBody },
  }, async (req, reply) => {
    const result = await introspectToken(deps, req.body.token);
    reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
    if (result.active) return result.response;
    // The reason is for the audit log only: §2.2 lets nothing else out about an inactive token.
    await s.store.write(async (tx) => tx.audit(req.ctx, {
      action: 'token.introspect', outcome: 'denied',
      details: { reason: result.reason, ...(result.tokenType ? { tokenType: result.tokenType } : {}) },
    })).catch((e: unknown) => req.log.error({ err: e }, 'could not record an inactive introspection'));
    return { active: false };
  });

  app.post<{ Body: TokenBody }>('/oauth2/revoke', {
    config: { auth: ['admin', 'workload'] }, schema: { body: tokenBody },
  }, async (req, reply) => {
    // token_type_hint is only a hint (§2.1): both kinds of token are recognised by their form.
    await revokeToken(deps, req.ctx, req.body.token);
    // §2.2: 200 whether or not the token was valid; nothing in the body.
    return reply.status(200).header('cache-control', 'no-store').send();
  });
}
