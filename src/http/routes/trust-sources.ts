import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.ts';
import {
  createTrustSource, deleteTrustSource, getTrustSource, listTrustSources, testTrustSource, updateTrustSource, type TrustSource,
} from '../../broker/trust/index.ts';

const WRITE = { auth: ['admin'] } as const;
const READ = { auth: ['admin', 'auditor'] } as const;

const iso = (t: number) => new Date(t).toISOString();

/** The wire form of a trust source. */
export function trustSourceJson(s: TrustSource): Record<string, unknown> {
  return {
    id: s.id, name: s.name, kind: s.kind, issuer: s.issuer, jwksUri: s.jwksUri, jwks: s.jwks, jwksFile: s.jwksFile,
    algorithms: s.algorithms, audiences: s.audiences, maxTokenAge: s.maxTokenAgeSeconds, environment: s.environment,
    bindings: s.bindings, description: s.description,
    createdAt: iso(s.createdAt), createdBy: s.createdBy, updatedAt: iso(s.updatedAt), updatedBy: s.updatedBy,
  };
}

// Types only: src/broker/trust gives the precise rule for each field.
const binding = {
  type: 'object', additionalProperties: false,
  properties: { name: { type: 'string' }, condition: { type: 'string' }, spiffeId: { type: 'string' } },
};
const config = {
  kind: { type: 'string' }, issuer: { type: 'string' }, jwksUri: { type: ['string', 'null'] },
  jwks: { type: ['object', 'null'] }, jwksFile: { type: ['string', 'null'] },
  algorithms: { type: 'array', items: { type: 'string' } },
  audiences: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
  maxTokenAge: { type: ['string', 'integer'] }, environment: { type: 'string' },
  bindings: { type: 'array', items: binding }, description: { type: ['string', 'null'] },
};
const createBody = { type: 'object', additionalProperties: false, properties: { name: { type: 'string' }, ...config } };
const updateBody = createBody;
const testBody = { type: 'object', additionalProperties: false, required: ['token'], properties: { token: { type: 'string', maxLength: 65536 } } };
const nameParams = { type: 'object', properties: { name: { type: 'string', minLength: 1, maxLength: 128 } }, required: ['name'] };

type NameParams = { Params: { name: string } };

/** Trust sources over HTTP: /v1/trust-sources. */
export function trustSourceRoutes(app: FastifyInstance, s: Services): void {
  app.post('/v1/trust-sources', { config: WRITE, schema: { body: createBody } }, async (req, reply) => {
    const source = await createTrustSource(s.trust, req.ctx, req.body);
    return reply.status(201).header('location', `/v1/trust-sources/${source.name}`).send(trustSourceJson(source));
  });

  app.get('/v1/trust-sources', { config: READ }, async () => ({ items: (await listTrustSources(s.trust)).map(trustSourceJson) }));

  app.get<NameParams>('/v1/trust-sources/:name', { config: READ, schema: { params: nameParams } }, async (req) =>
    trustSourceJson(await getTrustSource(s.trust, req.params.name)));

  app.patch<NameParams>('/v1/trust-sources/:name', { config: WRITE, schema: { params: nameParams, body: updateBody } }, async (req) =>
    trustSourceJson(await updateTrustSource(s.trust, req.ctx, req.params.name, req.body)));

  app.delete<NameParams>('/v1/trust-sources/:name', { config: WRITE, schema: { params: nameParams } }, async (req, reply) => {
    await deleteTrustSource(s.trust, req.ctx, req.params.name);
    return reply.status(204).send();
  });

  // A dry run: verifies a token and explains the bindings; nothing is issued or changed.
  app.post<NameParams & { Body: { token: string } }>('/v1/trust-sources/:name/test',
    { config: READ, schema: { params: nameParams, body: testBody } },
    async (req) => testTrustSource(s.trust, req.params.name, req.body.token));
}
