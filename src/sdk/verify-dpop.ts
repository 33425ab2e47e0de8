// Resource-server side of DPoP (RFC 9449 §7) for services that accept Tessera-issued tokens:
// given the request's Authorization and DPoP headers, checks the proof (with `ath`) and that it
// was signed by the key the token is bound to (`cnf.jkt`). The token itself is verified by the
// caller's own verifier (JWKS, JWT-SVID…), passed in as verifyToken.
import { createDpopRuntime, type DpopOptions, type DpopRuntime } from '../broker/dpop/index.ts';
import { systemClock, type Clock } from '../shared/clock.ts';
import { TesseraError, isTesseraError } from '../shared/errors.ts';

export interface DpopRequest {
  authorization: string | undefined;
  /** The DPoP header value(s) as received. */
  dpop: string | readonly string[] | undefined;
  method: string;
  /** The absolute URL the client addressed (scheme, host, path); query and fragment are ignored. */
  url: string;
}

export interface VerifiedDpopRequest {
  token: string;
  claims: Record<string, unknown>;
  /** The proof key's thumbprint when the token is DPoP-bound. */
  jkt?: string | undefined;
}

export interface DpopVerifierOptions extends Partial<DpopOptions> {
  clock?: Clock | undefined;
  /** Verifies the access token (signature, issuer, audience, expiry) and returns its claims; throws when invalid. */
  verifyToken(token: string): Promise<Record<string, unknown>>;
  /** Refuse plain bearer tokens altogether (only DPoP-bound tokens are served). */
  requireDpop?: boolean | undefined;
}

const AUTH = /^(Bearer|DPoP) +([A-Za-z0-9\-._~+/]+=*) *$/i;
const MAX_AUTH = 16 * 1024;
const unauthenticated = (message: string) => new TesseraError('ERR_UNAUTHENTICATED', message, { rule: 'access token' });

/** A verifier with its own replay cache and nonce source: keep one per service, not per request. */
export function createDpopVerifier(opts: DpopVerifierOptions): { runtime: DpopRuntime; verify(req: DpopRequest): Promise<VerifiedDpopRequest> } {
  const runtime = createDpopRuntime(opts.clock ?? systemClock, opts);
  return {
    runtime,
    async verify(req) {
      const m = req.authorization !== undefined && req.authorization.length <= MAX_AUTH ? AUTH.exec(req.authorization) : null;
      if (!m) throw unauthenticated('send Authorization: DPoP <token> with a DPoP proof (or Bearer <token> for an unbound token)');
      const dpopScheme = m[1]!.toLowerCase() === 'dpop';
      const token = m[2]!;
      let claims: Record<string, unknown>;
      try {
        claims = await opts.verifyToken(token);
      } catch (e) {
        throw unauthenticated(`access token rejected: ${isTesseraError(e) || e instanceof Error ? e.message : 'invalid'}`);
      }
      const cnf = claims.cnf as { jkt?: unknown } | undefined;
      const bound = cnf !== undefined && cnf !== null && typeof cnf === 'object' && cnf.jkt !== undefined;
      if (!bound) {
        if (dpopScheme) throw unauthenticated('the access token is not DPoP-bound (no cnf.jkt): it cannot be used with the DPoP scheme');
        if (opts.requireDpop) throw unauthenticated('this service accepts DPoP-bound access tokens only');
        return { token, claims };
      }
      // RFC 9449 §7.2: a bound token presented as a bearer token is refused, proof or not.
      if (!dpopScheme) throw unauthenticated('the access token is DPoP-bound: send it as Authorization: DPoP <token> with a DPoP proof');
      if (typeof cnf.jkt !== 'string') throw unauthenticated('the access token cnf.jkt is malformed');
      const proof = await runtime.verify({ proof: req.dpop, htm: req.method, htu: req.url, accessToken: token });
      if (!proof) throw new TesseraError('ERR_INVALID_DPOP_PROOF', 'DPoP proof rejected: the DPoP header is missing', { field: 'DPoP', rule: 'required' });
      if (proof.jkt !== cnf.jkt) throw new TesseraError('ERR_INVALID_DPOP_PROOF', 'DPoP proof rejected: signed by another key than the token is bound to', { field: 'DPoP', rule: 'cnf.jkt' });
      return { token, claims, jkt: proof.jkt };
    },
  };
}

/** The WWW-Authenticate challenge for a refusal from verify() (RFC 9449 §7.1, §9). */
export function dpopChallenge(e: unknown): string {
  const algs = 'algs="ES256 EdDSA Ed25519 RS256 PS256"';
  if (isTesseraError(e, 'ERR_USE_DPOP_NONCE')) return `DPoP error="use_dpop_nonce", error_description="${e.message.replace(/["\\]/g, '')}", ${algs}`;
  if (isTesseraError(e, 'ERR_INVALID_DPOP_PROOF')) return `DPoP error="invalid_dpop_proof", error_description="${e.message.replace(/["\\]/g, '')}", ${algs}`;
  return `DPoP error="invalid_token", ${algs}`;
}
