import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.ts';
import { revocationDeps } from './revocations.ts';
import { handleScanReport, MAX_FINDINGS, REPORT_BODY_LIMIT, WEBHOOK_TIMEOUT_MS } from '../../scanner/report/index.ts';

const finding = {
  type: 'object', additionalProperties: false, required: ['detector', 'path', 'line', 'fingerprint'],
  properties: {
    detector: { type: 'string', maxLength: 64 }, secret: { type: 'string', maxLength: 16 * 1024 },
    path: { type: 'string', maxLength: 4096 }, line: { type: 'integer' }, fingerprint: { type: 'string', maxLength: 256 },
  },
};
const body = {
  type: 'object', additionalProperties: false, required: ['findings'],
  properties: {
    findings: { type: 'array', maxItems: MAX_FINDINGS, items: finding },
    detectedAt: { type: ['string', 'integer'] },
    breakGlass: { type: 'object', additionalProperties: false, required: ['reason'], properties: { reason: { type: 'string' }, actor: { type: 'string' } } },
  },
};

/** POST /v1/scan-reports: the scanner's findings in; Tessera's own leaked credentials revoked. */
export function scanReportRoutes(app: FastifyInstance, s: Services): void {
  const url = s.config.leakWebhookUrl;
  const deps = {
    ...revocationDeps(s),
    webhook: url ? { url, timeoutMs: WEBHOOK_TIMEOUT_MS, logger: s.logger } : undefined,
  };
  app.post('/v1/scan-reports', {
    config: { auth: ['admin', 'workload'] }, schema: { body },
    // A full report (many findings, each up to a JWT) is larger than ordinary requests.
    bodyLimit: Math.max(s.config.bodyLimit, REPORT_BODY_LIMIT),
  }, async (req, reply) => {
    const result = await handleScanReport(deps, req.ctx, req.body);
    return reply.header('cache-control', 'no-store').send(result);
  });
}
