import { sign, type KeyObject } from 'node:crypto';
import { b64u } from './base64url.ts';

export interface JwtSigner {
  readonly kid: string;
  readonly alg: 'ES256';
  /** Signs claims as a compact JWS with header {alg, typ, kid}. */
  sign(claims: Record<string, unknown>, typ: string): string;
}

/**
 * ES256 signing straight on node:crypto (the hot path: no async WebCrypto hop). The encoded
 * header is computed once per typ.
 */
export function createJwtSigner(key: { kid: string; privateKey: KeyObject }): JwtSigner {
  const { kid, privateKey } = key;
  if (privateKey.asymmetricKeyType !== 'ec' || privateKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new Error('createJwtSigner needs a P-256 private key');
  }
  const headers = new Map<string, string>();
  return {
    kid,
    alg: 'ES256',
    sign(claims, typ) {
      let h = headers.get(typ);
      if (h === undefined) {
        h = b64u(JSON.stringify({ alg: 'ES256', typ, kid }));
        headers.set(typ, h);
      }
      const input = `${h}.${b64u(JSON.stringify(claims))}`;
      const sig = sign('sha256', Buffer.from(input, 'ascii'), { key: privateKey, dsaEncoding: 'ieee-p1363' });
      return `${input}.${sig.toString('base64url')}`;
    },
  };
}
