import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.ts';
import { formatDuration } from '../../shared/duration.ts';
import {
  createIdentity, updateIdentity, disableIdentity, enableIdentity, deleteIdentity, getIdentity, listIdentities,
  type Identity, type IdentityDeps,
} from '../../identity/index.ts';
import { createRevocation } from '../../revocation/index.ts';
import { revocationDeps } from './revocations.ts';
import { policyGuardrail } from '../../policy/identity-guardrail.ts';
import { TesseraError } from '../../shared/errors.ts';

const WRITE = { auth: ['admin'] } as const;
const READ = { auth: ['admin', 'auditor'] } as const;

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

/** The wire form of an identity: times as ISO-8601, the TTL as seconds and as text. */
export function identityJson(i: Identity): Record<string, unknown> {
  return {
    id: i.id, spiffeId: i.spiffeId, owner: i.owner, environment: i.environment, tier: i.tier,
    maxTtl: i.maxTtlSeconds, maxTtlText: formatDuration(i.maxTtlSeconds), description: i.description, labels: i.labels,
    staticException: i.staticException ? { reason: i.staticException.reason, expiresAt: iso(i.staticException.expiresAt) } : null,
    bearerForbidden: i.bearerForbidden,
    createdAt: iso(i.createdAt), createdBy: i.createdBy, updatedAt: iso(i.updatedAt), updatedBy: i.updatedBy,
    disabledAt: iso(i.disabledAt), disabledBy: i.disabledBy, version: i.version,
  };
}

/** `If-Match: "3"` (or W/"3", or 3) → 3; absent → undefined; anything else is refused. */
function ifMatchVersion(header: string | string[] | undefined): number | undefined {
  if (header === undefined) return undefined;
  const m = typeof header === 'string' ? /^\s*(?:W\/)?"?(\d{1,15})"?\s*$/.exec(header) : null;
  if (!m) throw new TesseraError('ERR_INVALID_INPUT', 'if-match: must be the ETag of the identity, e.g. "3"', { field: 'if-match', rule: 'etag' });
  return Number(m[1]);
}
const etag = (i: Identity) => `"${i.version}"`;

// Types only: the guardrails in src/identity give the precise codes (a missing owner is
// ERR_OWNER_REQUIRED, not a generic "required"), so nothing is marked required here.
const duration = { type: ['string', 'integer'] };
const exception = {
  type: ['object', 'null'], additionalProperties: false,
  properties: { reason: { type: 'string' }, expiresAt: { type: ['string', 'integer'] } },
};
const labels = { type: ['object', 'null'], additionalProperties: { type: 'string' } };
const createBody = {
  type: 'object', additionalProperties: false,
  properties: {
    spiffeId: { type: 'string' }, owner: { type: 'string' }, environment: { type: 'string' }, tier: { type: 'integer' },
    ttl: duration, maxTtl: duration, description: { type: 'string' }, labels, staticException: exception,
    bearerForbidden: { type: 'boolean' },
  },
};
const updateBody = {
  type: 'object', additionalProperties: false,
  properties: {
    owner: { type: ['string', 'null'] }, tier: { type: 'integer' }, ttl: duration, maxTtl: duration,
    description: { type: ['string', 'null'] }, labels, staticException: exception,
    environment: { type: 'string' }, spiffeId: { type: 'string' }, bearerForbidden: { type: 'boolean' },
  },
};
const listQuery = {
  type: 'object', additionalProperties: false,
  properties: {
    owner: { type: 'string' }, environment: { type: 'string' }, tier: { type: 'integer' },
    label: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
    includeDisabled: { type: 'boolean' }, limit: { type: 'integer' }, cursor: { type: 'string' },
  },
};
const idParams = { type: 'object', properties: { id: { type: 'string', minLength: 1, maxLength: 4096 } }, required: ['id'] };

type IdParams = { Params: { id: string } };

/** The identity registry over HTTP: /v1/identities. */
export function identityRoutes(app: FastifyInstance, s: Services): void {
  const deps: IdentityDeps = {
    store: s.store, clock: s.clock, trustDomain: s.config.trustDomain,
    guardrail: policyGuardrail(() => s.policies.current(), s.clock),
  };

  app.post('/v1/identities', { config: WRITE, schema: { body: createBody } }, async (req, reply) => {
    const identity = await createIdentity(deps, req.ctx, req.body);
    return reply.status(201).header('location', `/v1/identities/${identity.id}`).send(identityJson(identity));
  });

  app.get<{ Querystring: Record<string, unknown> }>('/v1/identities', { config: READ, schema: { querystring: listQuery } }, async (req) => {
    const page = await listIdentities(deps, req.ctx, req.query);
    return { items: page.items.map(identityJson), nextCursor: page.nextCursor ?? null };
  });

  // :id is an identity id or a URL-encoded SPIFFE ID (spiffe%3A%2F%2F…).
  app.get<IdParams>('/v1/identities/:id', { config: READ, schema: { params: idParams } }, async (req, reply) => {
    const i = await getIdentity(deps, req.ctx, req.params.id);
    return reply.header('etag', etag(i)).send(identityJson(i));
  });

  // Optimistic concurrency: with If-Match, an edit based on an older read is refused (412).
  app.patch<IdParams>('/v1/identities/:id', { config: WRITE, schema: { params: idParams, body: updateBody } }, async (req, reply) => {
    const i = await updateIdentity(deps, req.ctx, req.params.id, req.body, { ifVersion: ifMatchVersion(req.headers['if-match']) });
    return reply.header('etag', etag(i)).send(identityJson(i));
  });

  // Disabling revokes every credential the identity holds: it is recorded as an identity
  // revocation (in the same transaction as the disable), so that it reaches the SDKs' deny-list
  // feed and other servers, not only introspection here.
  app.post<IdParams>('/v1/identities/:id/disable', { config: WRITE, schema: { params: idParams } }, async (req) => {
    // An unknown or malformed reference is refused (and the refusal audited) by disableIdentity.
    const current = await getIdentity(deps, req.ctx, req.params.id).catch(async () => disableIdentity(deps, req.ctx, req.params.id));
    if (current.disabledAt !== null) return identityJson(current);
    await createRevocation(revocationDeps(s), req.ctx, { identity: current.id, reason: 'identity disabled' });
    return identityJson(await getIdentity(deps, req.ctx, current.id));
  });

  app.post<IdParams>('/v1/identities/:id/enable', { config: WRITE, schema: { params: idParams } },
    async (req) => identityJson(await enableIdentity(deps, req.ctx, req.params.id)));

  app.delete<IdParams>('/v1/identities/:id', { config: WRITE, schema: { params: idParams } }, async (req, reply) => {
    await deleteIdentity(deps, req.ctx, req.params.id);
    return reply.status(204).send();
  });
}
