import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.ts';
import type { RequestContext } from '../../shared/context.ts';
import type { AuditOutcome } from '../../shared/tx.ts';
import {
  exportAudit, listAudit, verifyChain, toPublicEvent, OUTCOMES, MAX_PAGE, type AuditExport,
} from '../../audit/index.ts';

const READ = { auth: ['admin', 'auditor'] } as const;

const seq = { type: 'integer', minimum: 0 };
const text = { type: 'string', minLength: 1, maxLength: 512 };
const listQuery = {
  type: 'object', additionalProperties: false,
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: MAX_PAGE, default: 100 },
    after: seq, before: seq, action: text, actor: text, outcome: { type: 'string', enum: OUTCOMES },
    order: { type: 'string', enum: ['asc', 'desc'] },
  },
};
const verifyQuery = {
  type: 'object', additionalProperties: false,
  properties: { expectHead: { type: 'string', pattern: '^[0-9a-f]{64}$' } },
};
const exportQuery = { type: 'object', additionalProperties: false, properties: { from: seq, to: seq } };

type ListQuery = {
  limit: number; after?: number; before?: number; action?: string; actor?: string;
  outcome?: AuditOutcome; order?: 'asc' | 'desc';
};

/** The audit log over HTTP: read it, verify the chain, export it. Verifying and exporting are audited. */
export function auditRoutes(app: FastifyInstance, s: Services): void {
  app.get<{ Querystring: ListQuery }>('/v1/audit', { config: READ, schema: { querystring: listQuery } }, async (req) => {
    const page = await listAudit(s.store.audit, req.query);
    return { items: page.items.map(toPublicEvent), nextCursor: page.nextCursor };
  });

  // 200 with ok: false when the chain is broken: the check ran and that is its answer.
  app.get<{ Querystring: { expectHead?: string } }>('/v1/audit/verify', { config: READ, schema: { querystring: verifyQuery } }, async (req) => {
    const result = await verifyChain(s.store.audit, { expectHead: req.query.expectHead });
    await s.store.write(async (tx) => tx.audit(req.ctx, {
      action: 'audit.verify', outcome: result.ok ? 'success' : 'failure',
      details: {
        events: result.events, headSeq: result.headSeq, headHash: result.headHash, problemCount: result.problemCount,
        ...(req.query.expectHead ? { expectHead: req.query.expectHead } : {}),
      },
    }));
    return result;
  });

  app.get<{ Querystring: { from?: number; to?: number } }>('/v1/audit/export', { config: READ, schema: { querystring: exportQuery } }, async (req, reply) => {
    const x = await exportAudit(s.store.audit, { fromSeq: req.query.from, toSeq: req.query.to });
    reply.header('cache-control', 'no-store');
    reply.header('content-disposition', `attachment; filename="tessera-audit-${x.fromSeq}-${x.toSeq}.ndjson"`);
    return reply.type('application/x-ndjson').send(Readable.from(exportStream(s, req.ctx, x)));
  });
}

/**
 * The export's lines, then its own audit event, committed before the response ends: an export
 * is complete only once it is on record. One cut short (client gone, store error) is recorded
 * as a failure with how far it got, since those events did leave the server.
 */
async function* exportStream(s: Services, ctx: RequestContext, x: AuditExport): AsyncGenerator<string> {
  let done = false;
  const details = () => ({ fromSeq: x.fromSeq, toSeq: x.toSeq, events: x.events, firstSeq: x.firstSeq, lastSeq: x.lastSeq });
  try {
    yield* x.lines();
    await s.store.write(async (tx) => tx.audit(ctx, { action: 'audit.export', outcome: 'success', details: details() }));
    done = true;
  } finally {
    if (!done) {
      void s.store.write(async (tx) => tx.audit(ctx, { action: 'audit.export', outcome: 'failure', details: { ...details(), reason: 'not completed' } }))
        .catch((e) => s.logger.error({ err: e }, 'could not record an interrupted audit export'));
    }
  }
}
