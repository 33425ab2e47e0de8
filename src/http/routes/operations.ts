import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.ts';

/** Liveness, readiness and Prometheus metrics: public, for load balancers and scrapers. */
export function operationsRoutes(app: FastifyInstance, s: Services): void {
  app.get('/healthz', { config: { auth: 'public' } }, async () => ({ status: 'ok' }));

  // Each check is named on its own, so a 503 says which one failed. The endpoint is public: the
  // database's own error text (host names, schema) goes to the log, not to the caller.
  app.get('/readyz', { config: { auth: 'public' } }, async (req, reply) => {
    const checks: Record<string, string> = {};
    try {
      await s.store.ping();
      checks.store = 'ok';
    } catch (e) {
      req.log.warn({ err: e }, 'readiness: store unreachable');
      checks.store = 'unreachable';
    }
    if (checks.store === 'ok') {
      try {
        checks.migrations = (await s.store.migrationsApplied()) ? 'ok' : 'pending';
      } catch (e) {
        req.log.warn({ err: e }, 'readiness: cannot read the applied migrations');
        checks.migrations = 'error';
      }
    } else {
      // cannot be checked without the store
      checks.migrations = 'unknown';
    }
    const ready = Object.values(checks).every((v) => v === 'ok');
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks });
  });

  app.get('/metrics', { config: { auth: 'public' } }, async (_req, reply) => {
    reply.type(s.metrics.registry.contentType);
    return s.metrics.registry.metrics();
  });
}
