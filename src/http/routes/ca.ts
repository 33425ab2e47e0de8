import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.ts';
import { describeCa, policyOf } from '../../ca/index.ts';

const READ = { auth: ['admin', 'auditor'] } as const;
const ROTATE = { auth: ['admin'] } as const;

const rotateBody = {
  type: 'object', additionalProperties: false,
  properties: { kind: { type: 'string', enum: ['jwt', 'x509-ca', 'all'] } },
};

/** The CA's keys: GET /v1/ca (status and schedule), POST /v1/ca/rotate (forced rotation). */
export function caRoutes(app: FastifyInstance, s: Services): void {
  // Read from the store, not the server's memory: every server sharing it answers the same.
  const status = async () => describeCa(await s.store.keys.list(), {
    trustDomain: s.config.trustDomain, jwtAlg: s.config.jwtAlg, svidMaxTtl: s.config.svidMaxTtl, caTtl: s.config.caTtl,
    jwtKeyTtl: s.config.jwtKeyTtl, intermediate: s.config.caRootCert !== undefined, sequence: s.ca.sequence(),
    policy: policyOf(s.config), now: s.clock.now(),
  });

  app.get('/v1/ca', { config: READ }, async () => status());

  // The prepared successor (published already) takes over at once, or a fresh key when there is
  // none; retired keys stay published until what they signed has expired. Audited per key.
  app.post<{ Body: { kind?: 'jwt' | 'x509-ca' | 'all' } }>('/v1/ca/rotate', {
    config: ROTATE, schema: { body: rotateBody },
    // No body at all means "rotate everything", as {} does.
    preValidation: async (req) => { if (req.body === undefined || req.body === null) req.body = {}; },
  }, async (req) => {
    await s.ca.rotate(req.body.kind ?? 'all', req.ctx);
    return status();
  });
}
