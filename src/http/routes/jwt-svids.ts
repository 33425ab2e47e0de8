import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.ts';
import { mintJwtSvid, type JwtSvidInput } from '../../ca/index.ts';

// Admin only for now: a workload token does not yet say which identity it may act as.
const MINT = { auth: ['admin'] } as const;

// Types only: the operation gives the precise, audited refusals (a missing audience is refused
// and recorded like a bad one), so nothing is marked required here.
const body = {
  type: 'object', additionalProperties: false,
  properties: {
    identity: { type: 'string' },
    audience: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
    ttl: { type: ['string', 'integer'] },
  },
};

/** POST /v1/jwt-svids: an identity and an audience in, a JWT-SVID out. */
export function jwtSvidRoutes(app: FastifyInstance, s: Services): void {
  app.post<{ Body: JwtSvidInput }>('/v1/jwt-svids', { config: MINT, schema: { body } }, async (req, reply) => {
    const svid = await mintJwtSvid({ store: s.store, clock: s.clock, ca: s.ca, issuer: s.issuer, svidMaxTtl: s.config.svidMaxTtl }, req.ctx, req.body);
    // A bearer credential: no cache may keep it (RFC 6749 §5.1 asks the same of token responses).
    return reply.header('cache-control', 'no-store').send({
      token: svid.token, spiffeId: svid.spiffeId, audience: svid.audience, jti: svid.jti,
      issuedAt: new Date(svid.issuedAt).toISOString(), expiresAt: new Date(svid.expiresAt).toISOString(), ttl: svid.ttlSeconds,
    });
  });
}
