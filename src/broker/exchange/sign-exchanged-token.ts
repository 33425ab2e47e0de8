import { randomJti, signerFor } from '../../ca/index.ts';
import { ACCESS_TOKEN_TYP, TOKEN_TYPE_ACCESS_TOKEN } from './constants.ts';
import type { ExchangeDeps, TokenBinding } from './types.ts';

export interface TokenToSign {
  spiffeId: string;
  /** aud: one value as a string, several as an array */
  targets: readonly string[];
  requestedTokenType: string;
  scope?: string | undefined;
  /** RFC 8693 §4.1: the actor's SPIFFE ID, recorded as act.sub */
  actor?: string | undefined;
  constraint: TokenBinding;
  ttlSeconds: number;
}

export interface SignedExchangeToken {
  token: string;
  jti: string;
  kid: string;
  /** seconds since the epoch */
  exp: number;
  cnf?: Record<string, string> | undefined;
}

/**
 * Signs the issued token with the CA's JWT key of the moment. An access token is RFC 9068
 * (typ at+jwt, client_id = the SPIFFE ID, scope when asked); a JWT is a JWT-SVID (typ JWT).
 * Either carries act when an actor was proven, and an access token carries cnf when the request
 * proved a key (DPoP) or a client certificate (mTLS). Never a `roles` claim: these tokens are for
 * other services, and Tessera's own API refuses any access token without one.
 */
export function signExchangedToken(deps: Pick<ExchangeDeps, 'ca' | 'clock' | 'issuer'>, t: TokenToSign): SignedExchangeToken {
  const signer = signerFor(deps.ca.jwtSigner());
  const iat = Math.floor(deps.clock.now() / 1000);
  const exp = iat + t.ttlSeconds;
  const jti = randomJti();
  const aud = t.targets.length === 1 ? t.targets[0]! : [...t.targets];
  const claims: Record<string, unknown> = { iss: deps.issuer, sub: t.spiffeId, aud, exp, iat, jti };
  const access = t.requestedTokenType === TOKEN_TYPE_ACCESS_TOKEN;
  if (access) {
    claims.client_id = t.spiffeId;
    if (t.scope !== undefined) claims.scope = t.scope;
  }
  if (t.actor !== undefined) claims.act = { sub: t.actor };
  let cnf: Record<string, string> | undefined;
  if (access && (t.constraint.dpopJkt !== undefined || t.constraint.mtlsX5t !== undefined)) {
    cnf = {};
    if (t.constraint.dpopJkt !== undefined) cnf.jkt = t.constraint.dpopJkt;
    if (t.constraint.mtlsX5t !== undefined) cnf['x5t#S256'] = t.constraint.mtlsX5t;
    claims.cnf = cnf;
  }
  return { token: signer.sign(claims, access ? ACCESS_TOKEN_TYP : 'JWT'), jti, kid: signer.kid, exp, cnf };
}
