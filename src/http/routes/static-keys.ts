import { policyGuardrail } from '../../policy/identity-guardrail.ts';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.ts';
import { createStaticKey, listStaticKeys, staticKeyStatus, type StaticKey, type StaticKeyDeps } from '../../identity/static-keys/index.ts';
import { createRevocation } from '../../revocation/index.ts';
import { revocationDeps, revocationJson } from './revocations.ts';

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

/** The wire form of a stored key: never its hash, only the last 4 characters to recognise it. */
export function staticKeyJson(k: StaticKey, spiffeId: string, now: number): Record<string, unknown> {
  return {
    id: k.id, identityId: k.identityId, spiffeId, owner: k.owner, last4: k.last4, status: staticKeyStatus(k, now),
    createdAt: iso(k.createdAt), createdBy: k.createdBy, expiresAt: iso(k.expiresAt), revokedAt: iso(k.revokedAt),
  };
}

const idParams = { type: 'object', properties: { id: { type: 'string', minLength: 1, maxLength: 4096 } }, required: ['id'] };
const keyParams = { type: 'object', properties: { keyId: { type: 'string', minLength: 1, maxLength: 128 } }, required: ['keyId'] };
// Types only: the rules in src/identity/static-keys give the precise codes (a missing expiry is
// ERR_EXCEPTION_EXPIRY_REQUIRED, not a generic "required").
const createBody = { type: 'object', additionalProperties: false, properties: { expires: { type: 'string' }, owner: { type: 'string' } } };
const revokeBody = {
  type: ['object', 'null'], additionalProperties: false,
  properties: { reason: { type: 'string' }, detectedAt: { type: ['string', 'integer'] } },
};

/** Static API keys: issue and list per identity, revoke by key id. */
export function staticKeyRoutes(app: FastifyInstance, s: Services): void {
  const deps: StaticKeyDeps = {
    store: s.store, clock: s.clock, trustDomain: s.config.trustDomain,
    guardrail: policyGuardrail(() => s.policies.current(), s.clock),
  };
  const rdeps = revocationDeps(s);

  app.post<{ Params: { id: string } }>('/v1/identities/:id/keys', {
    config: { auth: ['admin'] }, schema: { params: idParams, body: createBody },
  }, async (req, reply) => {
    const created = await createStaticKey(deps, req.ctx, req.params.id, req.body ?? {});
    // The key is in this answer and nowhere else: no cache may keep it.
    return reply.status(201).header('cache-control', 'no-store')
      .send({ ...staticKeyJson(created.record, created.identity.spiffeId, s.clock.now()), key: created.key });
  });

  app.get<{ Params: { id: string } }>('/v1/identities/:id/keys', {
    config: { auth: ['admin', 'auditor'] }, schema: { params: idParams },
  }, async (req) => {
    const { identity, keys } = await listStaticKeys(deps, req.ctx, req.params.id);
    const now = s.clock.now();
    return { items: keys.map((k) => staticKeyJson(k, identity.spiffeId, now)) };
  });

  app.post<{ Params: { keyId: string }; Body: { reason?: string; detectedAt?: string | number } | null }>('/v1/static-keys/:keyId/revoke', {
    config: { auth: ['admin'] }, schema: { params: keyParams, body: revokeBody },
  }, async (req, reply) => {
    const { revocation, created } = await createRevocation(rdeps, req.ctx, { ...(req.body ?? {}), staticKeyId: req.params.keyId });
    return reply.status(created ? 201 : 200).send(revocationJson(revocation, req.ctx));
  });
}
