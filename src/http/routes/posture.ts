import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.ts';
import { computePosture } from '../../inventory/posture/compute-posture.ts';
import { listHygiene } from '../../inventory/posture/list-hygiene.ts';
import { fixPlan } from '../../inventory/posture/fix-plan.ts';
import { GROUP_BYS, type GroupBy } from '../../inventory/posture/posture-types.ts';
import { parseSince } from '../../inventory/parse-since.ts';

const postureQuery = {
  type: 'object', additionalProperties: false,
  properties: { groupBy: { type: 'string', enum: [...GROUP_BYS] }, since: { type: 'string', maxLength: 64 } },
};
const hygieneQuery = {
  type: 'object', additionalProperties: false,
  properties: {
    unusedDays: { type: 'integer', minimum: 1, maximum: 3650 }, limit: { type: 'integer', minimum: 1, maximum: 10_000 },
    list: { type: 'string', enum: ['unowned', 'unused', 'expired-active', 'rotation-overdue', 'shared-environments'] },
  },
};

/** Posture metrics, hygiene lists and the fix plan: read by admins and auditors. */
export function postureRoutes(app: FastifyInstance, s: Services): void {
  app.get<{ Querystring: { groupBy?: GroupBy; since?: string } }>('/v1/posture', {
    config: { auth: ['admin', 'auditor'] }, schema: { querystring: postureQuery },
  }, async (req) => {
    const now = s.clock.now();
    return computePosture(s.store.db, {
      now, groupBy: req.query.groupBy, ...(req.query.since !== undefined ? { since: parseSince(req.query.since, now) } : {}),
    });
  });

  app.get<{ Querystring: { unusedDays?: number; limit?: number; list?: string } }>('/v1/posture/hygiene', {
    config: { auth: ['admin', 'auditor'] }, schema: { querystring: hygieneQuery },
  }, async (req) => {
    const h = await listHygiene(s.store.db, { now: s.clock.now(), unusedDays: req.query.unusedDays ?? s.config.inventoryUnusedDays, limit: req.query.limit });
    return req.query.list ? { ...h, lists: h.lists.filter((l) => l.id === req.query.list) } : h;
  });

  // The plan is a script of the platforms' own commands for a person to review and run; Tessera never runs it.
  app.get<{ Querystring: { unusedDays?: number; limit?: number; list?: string } }>('/v1/posture/fix-plan', {
    config: { auth: ['admin', 'auditor'] }, schema: { querystring: hygieneQuery },
  }, async (req, reply) => {
    const h = await listHygiene(s.store.db, { now: s.clock.now(), unusedDays: req.query.unusedDays ?? s.config.inventoryUnusedDays, limit: req.query.limit ?? 10_000 });
    const items = h.lists.filter((l) => !req.query.list || l.id === req.query.list).flatMap((l) => l.items);
    return reply.type('text/x-shellscript; charset=utf-8').send(fixPlan(items));
  });

  app.get<{ Querystring: { since?: string; metric?: string } }>('/v1/posture/history', {
    config: { auth: ['admin', 'auditor'] },
    schema: { querystring: { type: 'object', additionalProperties: false, properties: { since: { type: 'string', maxLength: 64 }, metric: { type: 'string', maxLength: 64 } } } },
  }, async (req) => {
    const now = s.clock.now();
    return { items: await s.store.inventory.history(parseSince(req.query.since ?? '90d', now), req.query.metric) };
  });
}
