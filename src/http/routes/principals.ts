import type { FastifyInstance, FastifyRequest } from 'fastify';
import { createPrincipal, disablePrincipal, type Principal, type PrincipalDeps } from '../../access/index.ts';
import { ROLES } from '../../shared/context.ts';
import { TesseraError } from '../../shared/errors.ts';
import type { Services } from '../services.ts';

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

/** The wire form of a principal: times as ISO-8601. */
export function principalJson(p: Principal): Record<string, unknown> {
  return {
    id: p.id, roles: p.roles, publicJwk: p.publicJwk, jwkThumbprint: p.jwkThumbprint, description: p.description,
    createdAt: iso(p.createdAt), createdBy: p.createdBy, disabledAt: iso(p.disabledAt),
  };
}

// Shapes only; src/access/create-principal.ts checks the rules (id syntax, roles, the key) and
// names the field, so the same checks hold for every caller.
const createBody = {
  type: 'object', additionalProperties: false, required: ['id', 'roles', 'publicJwk'],
  properties: {
    id: { type: 'string', maxLength: 4096 },
    roles: { type: 'array', maxItems: ROLES.length * 2, items: { type: 'string' } },
    publicJwk: { type: 'object' },
    description: { type: 'string' },
  },
};
const idParams = { type: 'object', properties: { id: { type: 'string', minLength: 1, maxLength: 4096 } }, required: ['id'] };

/** The form parser for /oauth2/* would hand a form body to these routes too: JSON only here. */
async function requireJson(req: FastifyRequest): Promise<void> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  // No body at all (fetch sends "content-length: 0" on a bare POST) needs no type.
  const empty = (req.headers['content-length'] ?? '0') === '0' && !req.headers['transfer-encoding'];
  if (type !== 'application/json' && !(type === '' && empty)) {
    throw new TesseraError('ERR_UNSUPPORTED_MEDIA_TYPE', `content-type: send application/json${type ? `, not ${type}` : ''}`,
      { field: 'content-type', rule: 'must be application/json' });
  }
}

/** Who may obtain access tokens: /v1/principals. */
export function principalRoutes(app: FastifyInstance, s: Services): void {
  const deps: PrincipalDeps = { store: s.store, clock: s.clock };

  app.get('/v1/principals', { config: { auth: ['admin', 'auditor'] } }, async () => ({
    items: (await s.store.principals.list()).map(principalJson),
  }));

  app.post<{ Body: { id: string; roles: string[]; publicJwk: Record<string, unknown>; description?: string } }>('/v1/principals', {
    config: { auth: ['admin'] }, onRequest: requireJson, schema: { body: createBody },
  }, async (req, reply) => {
    const p = await createPrincipal(deps, req.ctx, req.body);
    return reply.status(201).header('location', `/v1/principals/${encodeURIComponent(p.id)}`).send(principalJson(p));
  });

  app.post<{ Params: { id: string } }>('/v1/principals/:id/disable', {
    config: { auth: ['admin'] }, onRequest: requireJson, schema: { params: idParams },
  }, async (req) => principalJson(await disablePrincipal(deps, req.ctx, req.params.id)));
}
