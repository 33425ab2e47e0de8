import { Registry, collectDefaultMetrics, Counter, Histogram, Gauge } from 'prom-client';
import type { Store } from '../store/index.ts';

export interface ServerMetrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
}

/** One registry per server instance (no global state), with process metrics and Tessera's own. */
export function createMetrics(store: Store): ServerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'tessera_' });
  const httpDuration = new Histogram({
    name: 'tessera_http_request_duration_seconds', help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'] as const, registers: [registry],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  });
  const auditEvents = new Counter({
    name: 'tessera_audit_events_total', help: 'Audit events durably appended, by action and outcome',
    labelNames: ['action', 'outcome'] as const, registers: [registry],
  });
  // Revocation MTTR: from when a credential was reported or detected to when it was revoked.
  const mttr = new Histogram({
    name: 'tessera_revocation_mttr_seconds', help: 'Time from detection to revocation of a credential, by kind',
    labelNames: ['kind'] as const, registers: [registry],
    buckets: [1, 5, 15, 60, 300, 900, 3600, 4 * 3600, 86400, 7 * 86400],
  });
  store.onAudit((events) => {
    for (const e of events) {
      auditEvents.inc({ action: e.action, outcome: e.outcome });
      if (e.action === 'revocation.create' && e.outcome === 'success') {
        const d = JSON.parse(e.details) as { kind?: string; detectedAt?: string; revokedAt?: string };
        const seconds = (Date.parse(d.revokedAt ?? '') - Date.parse(d.detectedAt ?? '')) / 1000;
        if (Number.isFinite(seconds) && seconds >= 0) mttr.observe({ kind: d.kind ?? 'unknown' }, seconds);
      }
    }
  });
  new Gauge({
    name: 'tessera_identities', help: 'Registered machine identities', registers: [registry],
    async collect() { this.set(await store.identities.count()); },
  });
  new Gauge({
    name: 'tessera_audit_head_seq', help: 'Sequence number of the newest audit event', registers: [registry],
    async collect() { this.set((await store.audit.head()).seq); },
  });
  return { registry, httpDuration };
}
