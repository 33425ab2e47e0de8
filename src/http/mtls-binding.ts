import type { DetailedPeerCertificate, TLSSocket } from 'node:tls';
import type { FastifyRequest } from 'fastify';
import { verifyClientSvid } from '../broker/dpop/index.ts';
import type { Services } from './services.ts';

const MAX_CHAIN = 5;

/** The client's certificate chain as sent on the TLS connection, leaf first; empty without one. */
export function peerChainDer(req: FastifyRequest): Buffer[] {
  const socket = req.raw.socket as Partial<TLSSocket>;
  if (!socket.encrypted || typeof socket.getPeerCertificate !== 'function') return [];
  const out: Buffer[] = [];
  let cert: DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
  while (cert && cert.raw && cert.raw.length > 0 && out.length < MAX_CHAIN) {
    out.push(cert.raw);
    // A self-signed certificate is its own issuer: stop there.
    if (!cert.issuerCertificate || cert.issuerCertificate === cert || cert.issuerCertificate.raw?.equals(cert.raw)) break;
    cert = cert.issuerCertificate;
  }
  return out;
}

/**
 * RFC 8705 certificate binding for a token request: the `cnf["x5t#S256"]` thumbprint of the TLS
 * client certificate when it is a valid X509-SVID of this trust domain (chained to the CA's
 * X.509 authorities) and, when `spiffeId` is given, names exactly that identity. Undefined when
 * there is no client certificate or it does not qualify: the token is then simply not bound to it.
 */
export function mtlsBinding(s: Pick<Services, 'clock' | 'ca'>, req: FastifyRequest, spiffeId?: string): string | undefined {
  const chain = peerChainDer(req);
  if (chain.length === 0) return undefined;
  const r = verifyClientSvid({ clock: s.clock, ca: s.ca }, chain);
  if (!r.ok) {
    req.log.info({ reason: r.reason }, 'TLS client certificate not used for token binding');
    return undefined;
  }
  if (spiffeId !== undefined && r.spiffeId !== spiffeId) return undefined;
  return r.x5tS256;
}
