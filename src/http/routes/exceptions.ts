import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.ts';
import {
  createException, exceptionDebt, exceptionStatus, exceptionsYaml, listExceptions, revokeException,
  type ExceptionDeps, type PolicyException,
} from '../../policy/exceptions/index.ts';

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

export function exceptionJson(e: PolicyException, now: number): Record<string, unknown> {
  return {
    name: e.name, policy: e.policy, scope: e.scope, reason: e.reason, owner: e.owner, approver: e.approver,
    status: exceptionStatus(e, now), createdAt: iso(e.createdAt), createdBy: e.createdBy, expiresAt: iso(e.expiresAt),
    revokedAt: iso(e.revokedAt), revokedBy: e.revokedBy,
  };
}

// Types only: createException names the precise codes (a missing expiry is ERR_EXCEPTION_EXPIRY_REQUIRED).
const createBody = {
  type: 'object', additionalProperties: false,
  properties: {
    name: { type: 'string' }, policy: { type: 'string' }, reason: { type: 'string' }, owner: { type: 'string' },
    approver: { type: 'string' }, expiresAt: { type: 'string' }, expiresIn: { type: ['string', 'integer'] },
    scope: {
      type: 'object', additionalProperties: false,
      properties: { identity: { type: 'string' }, namespace: { type: 'string' }, kind: { type: 'string' }, name: { type: 'string' } },
    },
  },
};
const listQuery = {
  type: 'object', additionalProperties: false,
  properties: { status: { type: 'string', enum: ['active', 'expired', 'revoked'] }, policy: { type: 'string', maxLength: 128 }, format: { type: 'string', enum: ['json', 'yaml'] } },
};
const nameParams = { type: 'object', properties: { name: { type: 'string', maxLength: 64 } }, required: ['name'] };

/** Policy exceptions: created and revoked by admins, read by auditors too; debt is a first-class report. */
export function exceptionRoutes(app: FastifyInstance, s: Services): void {
  const deps: ExceptionDeps = {
    store: s.store, clock: s.clock, maxTtl: s.config.exceptionMaxTtl,
    changed: () => s.exceptions.reload().catch(() => { /* the periodic reload retries */ }),
  };

  app.post('/v1/exceptions', { config: { auth: ['admin'] }, schema: { body: createBody } }, async (req, reply) => {
    const e = await createException(deps, req.ctx, req.body ?? {});
    return reply.status(201).send(exceptionJson(e, s.clock.now()));
  });

  app.get<{ Querystring: { status?: string; policy?: string; format?: string } }>('/v1/exceptions', {
    config: { auth: ['admin', 'auditor'] }, schema: { querystring: listQuery },
  }, async (req, reply) => {
    const now = s.clock.now();
    const items = await listExceptions(s.store.exceptions, req.query, now);
    // The offline file for `tessera policy check --exceptions FILE`.
    if (req.query.format === 'yaml') return reply.type('application/yaml').send(exceptionsYaml(items));
    return { items: items.map((e) => exceptionJson(e, now)) };
  });

  app.get('/v1/exceptions/debt', { config: { auth: ['admin', 'auditor'] } }, async () =>
    exceptionDebt(await s.store.exceptions.list(), s.clock.now()));

  app.post<{ Params: { name: string } }>('/v1/exceptions/:name/revoke', { config: { auth: ['admin'] }, schema: { params: nameParams } }, async (req) =>
    exceptionJson(await revokeException(deps, req.ctx, req.params.name), s.clock.now()));
}
