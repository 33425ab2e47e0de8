import type { FastifyInstance } from 'fastify';
import type { Readable } from 'node:stream';
import { join } from 'node:path';
import type { Services } from '../services.ts';
import {
  CORRELATION_RULES, correlate, driftMarkdown, driftReport, linkWorkload, parseSince, removeStaleSpools, runImport, spoolExport, unlinkWorkload,
  type CorrelationRule, type InventoryDeps, type SpooledExport, type StoredItem,
} from '../../inventory/index.ts';
import { TesseraError } from '../../shared/errors.ts';
import { toTesseraError } from '../app.ts';
import { statusOf } from '../error-map.ts';

const iso = (t: number | null | undefined) => (t === null || t === undefined ? null : new Date(t).toISOString());

export function itemJson(i: StoredItem): Record<string, unknown> {
  return {
    id: i.id, source: i.source, feed: i.feed, nativeId: i.nativeId, category: i.category, kind: i.kind, name: i.name, parentId: i.parentId ?? null,
    owner: i.owner ?? null, service: i.service ?? null, workload: i.workload ?? null, environment: i.environment ?? null, tier: i.tier ?? null,
    createdAt: iso(i.createdAt), lastRotatedAt: iso(i.lastRotatedAt), lastUsedAt: iso(i.lastUsedAt), expiresAt: iso(i.expiresAt),
    active: i.active, longLived: i.longLived, federated: i.federated, attributes: i.attributes ?? {},
    ...(i.privileges ? { privileges: i.privileges } : {}), ...(i.edges ? { edges: i.edges } : {}),
    firstSeenAt: iso(i.firstSeenAt), updatedAt: iso(i.updatedAt), removedAt: iso(i.removedAt),
  };
}


const importQuery = {
  type: 'object', additionalProperties: false, required: ['source'],
  properties: { source: { type: 'string', maxLength: 64 }, scope: { type: 'string', maxLength: 200 } },
};
const listQuery = {
  type: 'object', additionalProperties: false,
  properties: {
    source: { type: 'string', maxLength: 64 }, category: { type: 'string', enum: ['identity', 'credential'] }, owner: { type: 'string', maxLength: 200 },
    workload: { type: 'string', maxLength: 100 }, removed: { type: 'string', enum: ['true', 'false'] },
    limit: { type: 'integer', minimum: 1, maximum: 1000 }, cursor: { type: 'string', maxLength: 64 },
  },
};

export function inventoryDeps(s: Services): InventoryDeps {
  return { store: s.store, clock: s.clock, correlationRules: CORRELATION_RULES, posture: { unusedDays: s.config.inventoryUnusedDays } };
}

/** Inventory: admins import and link; auditors read. */
export function inventoryRoutes(app: FastifyInstance, s: Services): void {
  const deps = inventoryDeps(s);
  const spoolDir = join(s.config.dataDir, 'tmp');
  const stale = removeStaleSpools(spoolDir);
  if (stale > 0) s.logger.warn({ removed: stale }, 'removed inventory uploads an earlier run left unfinished');

  app.post<{ Querystring: { source: string; scope?: string } }>('/v1/inventory/imports', {
    config: { auth: ['admin'], bodyType: 'application/octet-stream' }, schema: { querystring: importQuery },
  }, async (req, reply) => {
    // Accept: application/x-ndjson asks for progress lines while a large export is imported; the
    // last line is {"result": …} or {"error": …} (the status is 200 once streaming has begun).
    const stream = (req.headers.accept ?? '').includes('application/x-ndjson');
    const line = (o: unknown) => { reply.raw.write(`${JSON.stringify(o)}\n`); };
    let file: SpooledExport | undefined;
    try {
      if (req.query.source !== 'tessera') {
        if (!req.body) throw new TesseraError('ERR_INVALID_INPUT', 'file: send the export as the request body (application/octet-stream)', { field: 'file', rule: 'required' });
        file = await spoolExport(req.body as Readable, spoolDir, s.config.inventoryMaxImportBytes);
      }
      if (stream) {
        reply.hijack();
        reply.raw.writeHead(200, { 'content-type': 'application/x-ndjson', 'x-request-id': req.id, 'cache-control': 'no-store' });
        line({ phase: 'received', bytes: file?.bytes ?? 0 });
      }
      const result = await runImport(deps, req.ctx, {
        source: req.query.source, scope: req.query.scope, file,
        onProgress: (records) => {
          req.log.info({ source: req.query.source, records }, 'inventory import in progress');
          if (stream) line({ phase: 'importing', records });
        },
      });
      if (!stream) return reply.status(result.duplicate ? 200 : 201).send(result);
      line({ result });
    } catch (e) {
      if (!stream || !reply.raw.headersSent) throw e;
      const err = toTesseraError(e);
      if (err.code === 'ERR_INTERNAL') req.log.error({ err: e }, 'inventory import failed');
      line({ error: { code: err.code, status: statusOf(err.code), message: err.code === 'ERR_INTERNAL' ? `internal error; see the server log for request ${req.id}` : err.message, ...(err.code === 'ERR_INTERNAL' ? {} : err.details) } });
    } finally {
      file?.remove();
      if (stream && reply.raw.headersSent) reply.raw.end();
    }
    return reply;
  });

  app.get<{ Querystring: { limit?: number } }>('/v1/inventory/imports', {
    config: { auth: ['admin', 'auditor'] },
    schema: { querystring: { type: 'object', additionalProperties: false, properties: { limit: { type: 'integer', minimum: 1, maximum: 1000 } } } },
  }, async (req) => ({ items: await s.store.inventory.listImports(req.query.limit ?? 100) }));

  app.get<{ Querystring: { source?: string; category?: 'identity' | 'credential'; owner?: string; workload?: string; removed?: string; limit?: number; cursor?: string } }>('/v1/inventory', {
    config: { auth: ['admin', 'auditor'] }, schema: { querystring: listQuery },
  }, async (req) => {
    const q = req.query;
    const limit = q.limit ?? 100;
    const items = await s.store.inventory.listItems({
      source: q.source as never, category: q.category, owner: q.owner, workload: q.workload, includeRemoved: q.removed === 'true',
    }, { limit, after: q.cursor });
    return { items: items.map(itemJson), ...(items.length === limit ? { nextCursor: items.at(-1)!.id } : {}) };
  });

  app.get<{ Params: { id: string } }>('/v1/inventory/items/:id', {
    config: { auth: ['admin', 'auditor'] }, schema: { params: { type: 'object', properties: { id: { type: 'string', maxLength: 64 } }, required: ['id'] } },
  }, async (req) => {
    const item = await s.store.inventory.getItem(req.params.id);
    if (!item) throw new TesseraError('ERR_NOT_FOUND', `no inventory item ${req.params.id}`, { field: 'id' });
    return itemJson(item);
  });

  // The same native id (an ARN, a k8s:// id) can be in several feeds: every row, with details.
  app.get<{ Querystring: { nativeId: string } }>('/v1/inventory/by-native-id', {
    config: { auth: ['admin', 'auditor'] },
    schema: { querystring: { type: 'object', additionalProperties: false, required: ['nativeId'], properties: { nativeId: { type: 'string', minLength: 1, maxLength: 2048 } } } },
  }, async (req) => {
    const items = await s.store.inventory.findByNativeId(req.query.nativeId);
    if (items.length === 0) throw new TesseraError('ERR_NOT_FOUND', `no inventory item has native id ${req.query.nativeId}`, { field: 'nativeId' });
    return { items: items.map(itemJson) };
  });

  app.get<{ Querystring: { workload?: string } }>('/v1/inventory/links', {
    config: { auth: ['admin', 'auditor'] },
    schema: { querystring: { type: 'object', additionalProperties: false, properties: { workload: { type: 'string', maxLength: 100 } } } },
  }, async (req) => ({ items: await s.store.inventory.links(req.query.workload) }));

  app.post('/v1/inventory/links', {
    config: { auth: ['admin'] },
    schema: { body: { type: 'object', additionalProperties: false, properties: { nativeId: { type: 'string', maxLength: 2048 }, workload: { type: 'string' } } } },
  }, async (req, reply) => reply.status(201).send(await linkWorkload(deps, req.ctx, (req.body ?? {}) as Record<string, unknown>)));

  app.delete<{ Querystring: { nativeId?: string } }>('/v1/inventory/links', {
    config: { auth: ['admin'] },
    schema: { querystring: { type: 'object', additionalProperties: false, properties: { nativeId: { type: 'string', maxLength: 2048 } } } },
  }, async (req, reply) => { await unlinkWorkload(deps, req.ctx, req.query.nativeId); return reply.status(204).send(); });

  app.post('/v1/inventory/correlate', {
    config: { auth: ['admin'] },
    schema: { body: { type: 'object', additionalProperties: false, properties: { rules: { type: 'array', items: { type: 'string', enum: [...CORRELATION_RULES] } } } } },
  }, async (req) => {
    const rules = ((req.body as { rules?: CorrelationRule[] } | undefined)?.rules) ?? CORRELATION_RULES;
    return s.store.write(async (tx) => {
      const result = await correlate(tx, s.store.inventory, { rules, at: s.clock.now(), by: req.ctx.actor.id });
      tx.audit(req.ctx, { action: 'inventory.correlate', outcome: 'success', details: { rules, linked: result.linked.length } });
      return result;
    });
  });

  app.get<{ Querystring: { since?: string; format?: string } }>('/v1/inventory/drift', {
    config: { auth: ['admin', 'auditor'] },
    schema: { querystring: { type: 'object', additionalProperties: false, properties: { since: { type: 'string', maxLength: 64 }, format: { type: 'string', enum: ['json', 'markdown'] } } } },
  }, async (req, reply) => {
    const now = s.clock.now();
    const report = await driftReport(s.store.inventory, { since: parseSince(req.query.since ?? '7d', now), now });
    if (req.query.format === 'markdown') return reply.type('text/markdown; charset=utf-8').send(driftMarkdown(report));
    return report;
  });
}
