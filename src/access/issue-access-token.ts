import { randomUUID } from 'node:crypto';
import type { JwtSigner } from '../ca/index.ts';
import type { Clock } from '../shared/clock.ts';
import type { Role } from '../shared/context.ts';
import { ACCESS_TOKEN_TYP, MAX_ACCESS_TOKEN_TTL_SECONDS } from './constants.ts';

/** The sender constraint of an access token (RFC 9449 §6, RFC 8705 §3). */
export interface AccessTokenCnf { jkt?: string; 'x5t#S256'?: string }

export interface IssuedAccessToken {
  accessToken: string;
  expiresIn: number;
  /** seconds since the epoch */
  exp: number;
  jti: string;
}

/**
 * Signs an RFC 9068 JWT access token for a principal. The audience is the issuer itself:
 * these tokens are for Tessera's own API, not for other services.
 */
export function issueAccessToken(deps: { signer: JwtSigner; issuer: string; clock: Clock },
  p: { id: string; roles: readonly Role[] }, ttlSeconds: number,
  /** RFC 7800 confirmation: binds the token to a DPoP key (jkt) or a client certificate (x5t#S256). */
  cnf?: AccessTokenCnf | undefined): IssuedAccessToken {
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > MAX_ACCESS_TOKEN_TTL_SECONDS) {
    throw new RangeError(`access token lifetime must be 1..${MAX_ACCESS_TOKEN_TTL_SECONDS} seconds`);
  }
  const iat = Math.floor(deps.clock.now() / 1000);
  const exp = iat + ttlSeconds;
  const jti = randomUUID();
  const accessToken = deps.signer.sign({
    iss: deps.issuer, sub: p.id, aud: deps.issuer, client_id: p.id, iat, exp, jti, roles: [...p.roles],
    ...(cnf ? { cnf } : {}),
  }, ACCESS_TOKEN_TYP);
  return { accessToken, expiresIn: ttlSeconds, exp, jti };
}
