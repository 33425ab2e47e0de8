import type { KeyObject, JsonWebKey } from 'node:crypto';
import type { RequestContext } from '../shared/context.ts';
import type { KeyStatus } from './key-repo.ts';

export type JwtAlg = 'ES256' | 'RS256';

/** The key that signs JWTs (JWT-SVIDs, access tokens) right now, unwrapped in memory only. */
export interface JwtSigningKey {
  kid: string;
  alg: JwtAlg;
  privateKey: KeyObject;
}

/** A JWT key relying parties may see: prepared (not signing yet), active, or retired but still
 * covering unexpired tokens. */
export interface PublishedJwtKey {
  kid: string;
  alg: JwtAlg;
  status: KeyStatus;
  publicKey: KeyObject;
  publicJwk: JsonWebKey;
}

/** The CA issuing X509-SVIDs right now. chainDer: intermediates up to (not including) the root
 * the bundle carries; empty for a self-signed root CA. */
export interface X509Issuer {
  kid: string;
  privateKey: KeyObject;
  certDer: Buffer;
  chainDer: Buffer[];
  notAfter: number; // epoch ms: no SVID may outlive its CA
}

/** What the rest of Tessera uses of the CA: always the current keys, across rotations. */
export interface CaRuntime {
  readonly trustDomain: string;
  jwtSigner(): JwtSigningKey;
  jwtKeys(): readonly PublishedJwtKey[];
  x509Issuer(): X509Issuer;
  /** The X.509 authorities for the trust bundle (root certificates relying parties trust). */
  x509Authorities(): readonly { certDer: Buffer; notAfter: number }[];
  /** Increases every time the published set changes (SPIFFE bundle `spiffe_sequence`). */
  sequence(): number;
  /** Forces a rotation now (prepare + activate at once, old keys kept published until their tokens expire). */
  rotate(kind: 'jwt' | 'x509-ca' | 'all', ctx: RequestContext): Promise<void>;
  /** Re-reads keys from the store (another server sharing PostgreSQL may have rotated). */
  reload(): Promise<void>;
  /** Stops the rotation timer. */
  close(): void;
}
