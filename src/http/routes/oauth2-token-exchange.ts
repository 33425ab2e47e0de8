import type { FastifyReply, FastifyRequest } from 'fastify';
import { verifyClientSvid } from '../../broker/dpop/index.ts';
import { auditExchangeRefusal, createElevationCache, exchangeToken, type ExchangeDeps, type ExchangeForm, type SenderConstraint } from '../../broker/exchange/index.ts';
import { matchBinding, verifyExternalToken, type TrustRuntime } from '../../broker/trust/index.ts';
import { createIdentityCache, mayChangeState } from '../../identity/index.ts';
import { isTesseraError } from '../../shared/errors.ts';
import { peerChainDer } from '../mtls-binding.ts';
import { dpopHeader, requestHtu } from '../sender-proof.ts';
import type { Services } from '../services.ts';

/** The exchange's dependencies, from the running server's services. */
export function exchangeDeps(s: Services): ExchangeDeps {
  // Identities and running elevations for the hot path, emptied by every committed change
  // (see identity-cache.ts and elevation-cache.ts).
  const identities = createIdentityCache(s.store.identities, s.clock);
  const elevations = createElevationCache(s.store.elevations, s.clock);
  s.store.onAudit((events) => { if (mayChangeState(events)) { identities.invalidate(); elevations.invalidate(); } });
  // Binding and exchange read the same identity: both through the cache.
  const trust: TrustRuntime = { ...s.trust, store: { ...s.trust.store, identities } };
  return {
    store: { identities, joinTokens: s.store.joinTokens, write: (fn) => s.store.write(fn) }, clock: s.clock, issuer: s.issuer, tokenEndpoint: s.access.tokenEndpoint, ca: s.ca,
    revocations: s.revocations, svidMaxTtl: s.config.svidMaxTtl,
    elevations: (spiffeId, now) => elevations.active(spiffeId, now),
    exceptions: (now) => s.exceptions.active(now), elevationAudiences: s.config.elevationAudiences,
    external: { verify: (token, decoded) => verifyExternalToken(s.trust, token, undefined, decoded), match: (v) => matchBinding(trust, v) },
    // A getter: the live policy set is swapped on reload, each exchange sees the current one.
    get policies() { return s.policies.current(); },
  };
}

/** The TLS client certificate, when it is an X509-SVID of this trust domain. */
function clientSvid(s: Services, req: FastifyRequest): SenderConstraint['mtls'] {
  const chain = peerChainDer(req);
  if (chain.length === 0) return undefined;
  const r = verifyClientSvid({ clock: s.clock, ca: s.ca }, chain);
  return r.ok ? { spiffeId: r.spiffeId, x5tS256: r.x5tS256 } : undefined;
}

/**
 * POST /oauth2/token with grant_type=urn:ietf:params:oauth:grant-type:token-exchange (RFC 8693).
 * The DPoP proof, when sent, is checked first; a bad one is refused (and audited as a refused
 * exchange) before any subject token is looked at.
 */
export function tokenExchangeHandler(s: Services): (req: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply> {
  const deps = exchangeDeps(s);
  return async (req, reply) => {
    const form = req.body as ExchangeForm;
    let dpopJkt: string | undefined;
    try {
      dpopJkt = (await s.dpop.verify({ proof: dpopHeader(req), htm: req.method, htu: requestHtu(s, req) }))?.jkt;
    } catch (e) {
      if (isTesseraError(e) && e.code !== 'ERR_INTERNAL') await auditExchangeRefusal(deps, req.ctx, e, form);
      throw e;
    }
    const issued = await exchangeToken(deps, form, req.ctx, { dpopJkt, mtls: clientSvid(s, req) });
    // RFC 8693 §2.2.1 / RFC 6749 §5.1: token responses must not be cached.
    return reply.header('cache-control', 'no-store').header('pragma', 'no-cache').send(issued);
  };
}
