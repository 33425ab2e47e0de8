import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.ts';
import { TesseraError } from '../../shared/errors.ts';
import { applyPolicy } from '../../policy/apply-policy.ts';
import { deletePolicy } from '../../policy/delete-policy.ts';
import { explainPolicy, type ExplainRequest } from '../../policy/explain-policy.ts';
import type { PolicyDeps } from '../../policy/operation.ts';
import type { CompiledPolicy } from '../../policy/index.ts';
import type { StoredPolicy } from '../../policy/policy-repo.ts';

const WRITE = { auth: ['admin'] } as const;
const READ = { auth: ['admin', 'auditor'] } as const;
const iso = (t: number) => new Date(t).toISOString();

const globs = { type: 'array', items: { type: 'string' } };
// Types only: src/policy/parse-policy-document.ts gives the precise messages.
const policyBody = {
  type: 'object', additionalProperties: false,
  properties: {
    name: { type: 'string' }, description: { type: 'string' }, owner: { type: 'string' }, effect: { type: 'string' },
    match: { type: 'object', additionalProperties: false, properties: { actions: globs, identities: globs, audiences: globs } },
    condition: { type: 'string' }, mode: { type: 'string' },
  },
};
const explainBody = {
  type: 'object', additionalProperties: false, required: ['action', 'subject'],
  properties: {
    action: { type: 'string' }, subject: { type: 'string' },
    audience: { anyOf: [{ type: 'string' }, globs] },
    context: { type: 'object' }, claims: { type: 'object' }, resource: { type: 'object' },
    source: {
      type: 'object', additionalProperties: false, required: ['kind', 'name'],
      properties: { kind: { type: 'string', enum: ['oidc', 'join-token', 'jwt-svid', 'api'] }, name: { type: 'string' }, environment: { type: 'string' } },
    },
  },
};
const nameParams = { type: 'object', properties: { name: { type: 'string', minLength: 1, maxLength: 64 } }, required: ['name'] };
type NameParams = { Params: { name: string } };

function policyJson(p: CompiledPolicy, stored: StoredPolicy | undefined): Record<string, unknown> {
  const d = p.definition;
  return {
    name: p.name, description: d.description ?? '', owner: d.owner ?? null, effect: p.effect, mode: p.mode,
    match: d.match ?? (d.actions ? { actions: d.actions } : {}), condition: d.condition, source: p.source,
    ...(stored ? { createdAt: iso(stored.createdAt), createdBy: stored.createdBy, updatedAt: iso(stored.updatedAt), updatedBy: stored.updatedBy } : {}),
  };
}

/** Policies as code over HTTP: /v1/policies (the live set: built-in, directory and stored). */
export function policyRoutes(app: FastifyInstance, s: Services): void {
  const deps: PolicyDeps = { store: s.store, clock: s.clock, runtime: s.policies };
  const storedByName = async () => new Map((await s.store.policies.list()).map((p) => [p.definition.name, p]));

  app.get('/v1/policies', { config: READ }, async () => {
    const stored = await storedByName();
    return { items: s.policies.current().policies.map((p) => policyJson(p, p.source === 'the store' ? stored.get(p.name) : undefined)) };
  });

  app.get('/v1/policies/status', { config: READ }, async () => {
    const st = s.policies.status();
    return { ...st, loadedAt: iso(st.loadedAt), checkedAt: iso(st.checkedAt), errorAt: st.errorAt === null ? null : iso(st.errorAt) };
  });

  app.get<NameParams>('/v1/policies/:name', { config: READ, schema: { params: nameParams } }, async (req) => {
    const p = s.policies.current().policies.find((x) => x.name === req.params.name);
    if (!p) throw new TesseraError('ERR_NOT_FOUND', `name: no policy ${req.params.name}`, { field: 'name', rule: 'must exist' });
    return policyJson(p, p.source === 'the store' ? await s.store.policies.get(p.name) : undefined);
  });

  app.post('/v1/policies', { config: WRITE, schema: { body: policyBody } }, async (req, reply) => {
    const r = await applyPolicy(deps, req.ctx, req.body);
    const live = s.policies.current().policies.find((x) => x.name === r.policy.definition.name)!;
    return reply.status(r.created ? 201 : 200).header('location', `/v1/policies/${r.policy.definition.name}`).send(policyJson(live, r.policy));
  });

  app.put<NameParams>('/v1/policies/:name', { config: WRITE, schema: { params: nameParams, body: policyBody } }, async (req, reply) => {
    const r = await applyPolicy(deps, req.ctx, req.body, req.params.name);
    const live = s.policies.current().policies.find((x) => x.name === r.policy.definition.name)!;
    return reply.status(r.created ? 201 : 200).send(policyJson(live, r.policy));
  });

  app.delete<NameParams>('/v1/policies/:name', { config: WRITE, schema: { params: nameParams } }, async (req, reply) => {
    await deletePolicy(deps, req.ctx, req.params.name);
    return reply.status(204).send();
  });

  app.post('/v1/policies/explain', { config: READ, schema: { body: explainBody } }, async (req) =>
    explainPolicy({ identities: s.store.identities, clock: s.clock, current: () => s.policies.current() }, req.body as ExplainRequest));
}
