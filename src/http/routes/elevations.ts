import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.ts';
import {
  approveElevation, denyElevation, elevationStatus, listElevations, requestElevation, revokeElevation,
  type Elevation, type ElevationDeps,
} from '../../policy/elevation/index.ts';
import { formatDuration } from '../../shared/duration.ts';

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

export function elevationJson(e: Elevation, now: number): Record<string, unknown> {
  return {
    id: e.id, subject: e.subject, grant: e.grant, duration: formatDuration(e.durationSeconds), reason: e.reason,
    status: elevationStatus(e, now), requestedBy: e.requestedBy, requestedAt: iso(e.requestedAt),
    decidedBy: e.decidedBy, decidedAt: iso(e.decidedAt), decisionReason: e.decisionReason,
    startsAt: iso(e.startsAt), expiresAt: iso(e.expiresAt), revokedAt: iso(e.revokedAt), revokedBy: e.revokedBy,
  };
}

const requestBody = {
  type: 'object', additionalProperties: false,
  properties: {
    subject: { type: 'string' }, reason: { type: 'string' }, duration: { type: ['string', 'integer'] },
    grant: { type: 'object', additionalProperties: false, properties: { role: { type: 'string' }, audience: { type: 'string' } } },
  },
};
const decisionBody = { type: 'object', additionalProperties: false, properties: { reason: { type: 'string' } } };
const listQuery = {
  type: 'object', additionalProperties: false,
  properties: {
    subject: { type: 'string', maxLength: 2048 }, status: { type: 'string', enum: ['requested', 'approved', 'denied', 'revoked', 'expired'] },
    limit: { type: 'integer' },
  },
};
const idParams = { type: 'object', properties: { id: { type: 'string', maxLength: 64 } }, required: ['id'] };

/** Just-in-time elevation: anyone authenticated asks, an approver (not the asker) decides. */
export function elevationRoutes(app: FastifyInstance, s: Services): void {
  const deps: ElevationDeps = { store: s.store, clock: s.clock };
  type P = { Params: { id: string } };

  app.post('/v1/elevations', { config: { auth: ['admin', 'approver', 'auditor', 'workload'] }, schema: { body: requestBody } }, async (req, reply) =>
    reply.status(201).send(elevationJson(await requestElevation(deps, req.ctx, req.body ?? {}), s.clock.now())));

  app.post<P>('/v1/elevations/:id/approve', { config: { auth: ['approver'] }, schema: { params: idParams, body: decisionBody } }, async (req) =>
    elevationJson(await approveElevation(deps, req.ctx, req.params.id, req.body), s.clock.now()));

  app.post<P>('/v1/elevations/:id/deny', { config: { auth: ['approver'] }, schema: { params: idParams, body: decisionBody } }, async (req) =>
    elevationJson(await denyElevation(deps, req.ctx, req.params.id, req.body), s.clock.now()));

  // Any authenticated principal reaches the handler; revokeElevation admits admins and the requester.
  app.post<P>('/v1/elevations/:id/revoke', { config: { auth: ['admin', 'approver', 'auditor', 'workload'] }, schema: { params: idParams } }, async (req) =>
    elevationJson(await revokeElevation(deps, req.ctx, req.params.id), s.clock.now()));

  app.get<{ Querystring: { subject?: string; status?: string; limit?: number } }>('/v1/elevations', {
    config: { auth: ['admin', 'approver', 'auditor'] }, schema: { querystring: listQuery },
  }, async (req) => {
    const now = s.clock.now();
    return { items: (await listElevations(s.store.elevations, req.query, now)).map((e) => elevationJson(e, now)) };
  });
}
