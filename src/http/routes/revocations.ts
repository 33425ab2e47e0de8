import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.ts';
import { createRevocation, listRevocations, type Revocation, type RevocationDeps } from '../../revocation/index.ts';
import { MAX_JWS_LENGTH } from '../../ca/index.ts';
import type { RequestContext } from '../../shared/context.ts';

const iso = (t: number) => new Date(t).toISOString();

/** What revocation operations need, from the server's services. */
export function revocationDeps(s: Services): RevocationDeps {
  return {
    store: s.store, clock: s.clock, issuer: s.issuer, denyList: s.revocations,
    jwtKeys: () => s.ca.jwtKeys(),
    // JWT-SVIDs live at most svidMaxTtl, access tokens at most adminTokenTtl.
    maxTokenTtlSeconds: Math.max(s.config.svidMaxTtl, s.config.adminTokenTtl),
  };
}

/** The wire form of a revocation. Workloads polling the feed see what to deny, not who reported what. */
export function revocationJson(r: Revocation, ctx?: RequestContext): Record<string, unknown> {
  const full = !ctx || ctx.actor.roles.includes('admin') || ctx.actor.roles.includes('auditor');
  return {
    id: r.id, cursor: String(r.seq), kind: r.kind, value: r.value,
    revokedAt: iso(r.revokedAt), expiresAt: iso(r.expiresAt),
    ...(full ? { reason: r.reason, detectedAt: iso(r.detectedAt), revokedBy: r.revokedBy } : {}),
  };
}

const createBody = {
  type: 'object', additionalProperties: false,
  properties: {
    jti: { type: 'string' }, identity: { type: 'string' }, staticKeyId: { type: 'string' },
    token: { type: 'string', maxLength: MAX_JWS_LENGTH }, reason: { type: 'string' }, detectedAt: { type: ['string', 'integer'] },
  },
};
const feedQuery = {
  type: 'object', additionalProperties: false,
  properties: { since: { type: 'string', maxLength: 32 }, limit: { type: 'integer' } },
};

/** /v1/revocations: revoke a credential (admin), and the deny-list feed SDKs poll. */
export function revocationRoutes(app: FastifyInstance, s: Services): void {
  const deps = revocationDeps(s);
  // The deny list's reload timer belongs to the server's lifetime, which ends with the app.
  app.addHook('onClose', async () => { s.revocations.close(); });

  app.post('/v1/revocations', { config: { auth: ['admin'] }, schema: { body: createBody } }, async (req, reply) => {
    const { revocation, created } = await createRevocation(deps, req.ctx, req.body);
    return reply.status(created ? 201 : 200).send(revocationJson(revocation, req.ctx));
  });

  app.get<{ Querystring: { since?: string; limit?: number } }>('/v1/revocations', {
    config: { auth: ['admin', 'auditor', 'workload'] }, schema: { querystring: feedQuery },
  }, async (req) => {
    const page = await listRevocations(deps, req.query);
    return { items: page.items.map((r) => revocationJson(r, req.ctx)), nextCursor: page.nextCursor, more: page.more };
  });
}
