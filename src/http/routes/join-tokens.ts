import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.ts';
import { createJoinToken, joinTokenStatus, listJoinTokens, type JoinToken, type JoinTokenDeps } from '../../broker/join-tokens/index.ts';

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

/** The wire form of a stored join token: never its hash, never the token. */
export function joinTokenJson(t: JoinToken, spiffeId: string | null, now: number): Record<string, unknown> {
  return {
    id: t.id, identityId: t.identityId, spiffeId, status: joinTokenStatus(t, now),
    createdAt: iso(t.createdAt), createdBy: t.createdBy, expiresAt: iso(t.expiresAt), usedAt: iso(t.usedAt),
  };
}

// Types only: createJoinToken gives the precise codes (a TTL above the maximum is ERR_INVALID_DURATION).
const createBody = {
  type: 'object', additionalProperties: false,
  properties: { identity: { type: 'string' }, ttl: { type: ['string', 'integer'] } },
};
const listQuery = {
  type: 'object', additionalProperties: false,
  properties: { identity: { type: 'string', maxLength: 2048 }, limit: { type: 'integer' }, cursor: { type: 'string', maxLength: 256 } },
};

/** Join tokens: issued by admins (the token is in the answer and nowhere else), listed without secrets. */
export function joinTokenRoutes(app: FastifyInstance, s: Services): void {
  const deps: JoinTokenDeps = { store: s.store, clock: s.clock };

  app.post('/v1/join-tokens', { config: { auth: ['admin'] }, schema: { body: createBody } }, async (req, reply) => {
    const created = await createJoinToken(deps, req.ctx, req.body ?? {});
    return reply.status(201).header('cache-control', 'no-store')
      .send({ ...joinTokenJson(created.record, created.identity.spiffeId, s.clock.now()), token: created.token });
  });

  app.get<{ Querystring: { identity?: string; limit?: number; cursor?: string } }>('/v1/join-tokens', {
    config: { auth: ['admin', 'auditor'] }, schema: { querystring: listQuery },
  }, async (req) => {
    const page = await listJoinTokens(deps, req.query);
    const now = s.clock.now();
    const spiffeIds = new Map<string, string | null>();
    for (const t of page.items) {
      if (!spiffeIds.has(t.identityId)) spiffeIds.set(t.identityId, (await s.store.identities.get(t.identityId))?.spiffeId ?? null);
    }
    return { items: page.items.map((t) => joinTokenJson(t, spiffeIds.get(t.identityId)!, now)), nextCursor: page.nextCursor };
  });
}
