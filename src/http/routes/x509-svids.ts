import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.ts';
import { requestX509Svid, toPem, type X509SvidInput } from '../../ca/x509/index.ts';

// Admin only for now: a workload token does not yet say which identity it may act as, and an
// X509-SVID for any registered identity is exactly what a workload must not be able to ask for.
const ISSUE = { auth: ['admin'] } as const;

// Types only: the operation gives the precise, audited refusals (a missing CSR is refused and
// recorded like a bad one), so nothing is marked required here.
const body = {
  type: 'object', additionalProperties: false,
  properties: {
    identity: { type: 'string' }, csr: { type: 'string' }, ttl: { type: ['string', 'integer'] },
    // Each name's rules (host name, lower case, no wildcard, at most 10) are the operation's, audited.
    dnsNames: { type: 'array', items: { type: 'string' } },
  },
};

/** POST /v1/x509-svids: a PKCS#10 CSR in, an X509-SVID chain out. */
export function x509SvidRoutes(app: FastifyInstance, s: Services): void {
  app.post<{ Body: X509SvidInput }>('/v1/x509-svids', { config: ISSUE, schema: { body } }, async (req) => {
    const svid = await requestX509Svid(
      { store: s.store, clock: s.clock, ca: s.ca, svidMaxTtl: s.config.svidMaxTtl }, req.ctx, req.body);
    return {
      spiffeId: svid.spiffeId,
      certificate: toPem(svid.certDer),
      chain: svid.chainDer.map((c) => toPem(c)),
      bundle: svid.bundleDer.map((c) => toPem(c)),
      serial: svid.serialHex,
      notBefore: new Date(svid.notBefore).toISOString(),
      expiresAt: new Date(svid.notAfter).toISOString(),
      ...(svid.dnsNames.length > 0 ? { dnsNames: svid.dnsNames } : {}),
    };
  });
}
