import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.ts';

/** Liveness, readiness and Prometheus metrics: public, for load balancers and scrapers. */
export function operationsRoutes(app: FastifyInstance, s: Services): void {
  app.get('/healthz', { config: { auth: 'public' } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { config: { auth: 'public' } }, async (_req, reply) => {
    const checks: Record<string, string> = {};
    try {
      await s.store.ping();
      checks.store = 'ok';
      checks.migrations = (await s.store.migrationsApplied()) ? 'ok' : 'pending';
    } catch (e) {
      checks.store = `unreachable: ${(e as Error).message}`;
    }
    const ready = Object.values(checks).every((v) => v === 'ok') && checks.migrations !== undefined;
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks });
  });

  app.get('/metrics', { config: { auth: 'public' } }, async (_req, reply) => {
    reply.type(s.metrics.registry.contentType);
    return s.metrics.registry.metrics();
  });
}
