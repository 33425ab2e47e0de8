import type { KeyObject } from 'node:crypto';
import { verifyJwtSvid, type JwsAlg, type PublishedJwtKey } from '../../ca/index.ts';
import { TesseraError } from '../../shared/errors.ts';
import type { ExchangeDeps } from './types.ts';

// The published keys change only on rotation: the kid index is rebuilt when the array changes.
let indexed: readonly PublishedJwtKey[] | undefined;
let byKid = new Map<string, { alg: JwsAlg; key: KeyObject }>();
function keyFor(keys: readonly PublishedJwtKey[], kid: string) {
  if (keys !== indexed) {
    indexed = keys;
    byKid = new Map(keys.map((k) => [k.kid, { alg: k.alg, key: k.publicKey }]));
  }
  return byKid.get(kid);
}

/**
 * A Tessera JWT-SVID presented to the token endpoint. It must have been minted for this server:
 * its aud names the issuer or the token endpoint (a JWT-SVID minted for another service must not
 * be usable here, or any relying party it was sent to could exchange it). Revoked tokens and
 * tokens of revoked identities are reported as such (the caller refuses them, knowing whose they are).
 */
export function verifyTesseraJwtSvid(deps: Pick<ExchangeDeps, 'ca' | 'clock' | 'issuer' | 'tokenEndpoint' | 'revocations'>, token: string, field: string):
  { spiffeId: string; claims: Record<string, unknown>; exp: number; revoked: boolean } {
  const keys = deps.ca.jwtKeys();
  const r = verifyJwtSvid(token, {
    key: (kid) => keyFor(keys, kid), audience: [deps.issuer, deps.tokenEndpoint], now: deps.clock.now(),
    issuer: deps.issuer, trustDomain: deps.ca.trustDomain,
  });
  if (!r.ok) {
    const reason = r.reason === 'not meant for this audience'
      ? `JWT-SVID is not meant for this server: its aud must include ${deps.issuer} or ${deps.tokenEndpoint}`
      : `JWT-SVID rejected: ${r.reason}`;
    throw new TesseraError('ERR_INVALID_GRANT', `${field}: ${reason}`, { field, rule: 'valid JWT-SVID', reason });
  }
  const { svid } = r;
  const revoked = deps.revocations.isRevoked({ jti: svid.jti, sub: svid.spiffeId, iat: svid.iat });
  return { spiffeId: svid.spiffeId, claims: svid.claims, exp: svid.exp, revoked };
}
