import type { TLSSocket } from 'node:tls';
import type { FastifyRequest } from 'fastify';
import type { SenderProof } from '../access/index.ts';
import { x5tS256 } from '../broker/dpop/index.ts';
import { TesseraError, isTesseraError } from '../shared/errors.ts';
import type { Services } from './services.ts';

/** The request URI a client addresses, as the DPoP `htu` check needs it: the public base URL plus the path. */
export function requestHtu(s: Pick<Services, 'issuer'>, req: FastifyRequest): string {
  return `${s.issuer.replace(/\/$/, '')}${req.url.split(/[?#]/, 1)[0]}`;
}

/** The request's DPoP header values, each one separately (Node would join repeated ones with a comma). */
export function dpopHeader(req: FastifyRequest): string[] | undefined {
  return req.raw.headersDistinct?.dpop ?? (typeof req.headers.dpop === 'string' ? [req.headers.dpop] : undefined);
}

/** The DER leaf certificate the TLS client presented, if any. */
export function peerCertificateDer(req: FastifyRequest): Buffer | undefined {
  const socket = req.raw.socket as Partial<TLSSocket>;
  if (!socket.encrypted || typeof socket.getPeerCertificate !== 'function') return undefined;
  const cert = socket.getPeerCertificate();
  return cert && cert.raw && cert.raw.length > 0 ? cert.raw : undefined;
}

/**
 * What this request offers as proof of holding a sender-constrained access token to Tessera's
 * own API. Nonces are not demanded here (only the token endpoint may be configured to). A bad
 * proof is an authentication failure (401, `WWW-Authenticate: DPoP error="invalid_dpop_proof"`).
 */
export function senderProofOf(s: Pick<Services, 'issuer' | 'dpop'>, req: FastifyRequest): SenderProof {
  return {
    async dpopJkt(accessToken) {
      try {
        const r = await s.dpop.verify({ proof: dpopHeader(req), htm: req.method, htu: requestHtu(s, req), accessToken, requireNonce: false });
        return r?.jkt;
      } catch (e) {
        if (!isTesseraError(e, 'ERR_INVALID_DPOP_PROOF')) throw e;
        throw new TesseraError('ERR_UNAUTHENTICATED', e.message, { rule: 'DPoP proof', dpopError: 'invalid_dpop_proof' });
      }
    },
    tlsX5t() {
      const der = peerCertificateDer(req);
      return der ? x5tS256(der) : undefined;
    },
  };
}
