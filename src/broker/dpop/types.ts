import type { Clock } from '../../shared/clock.ts';
import type { SharedReplay } from './shared-replay.ts';

/** How strict proof verification is; the defaults suit the token endpoint. */
export interface DpopOptions {
  /** Demand a server-issued nonce in every proof (RFC 9449 §8). Off by default. */
  requireNonce: boolean;
  /** Tolerated clock difference for a proof's iat, seconds. */
  iatSkewSeconds: number;
  /** Oldest proof accepted (iat this far in the past), seconds; also how long a jti is remembered. */
  maxAgeSeconds: number;
  /** How long a nonce stays valid: each one covers its own window and the next, seconds. */
  nonceWindowSeconds: number;
  /** Most (jkt, jti) pairs remembered at once; beyond it new proofs are refused, never forgotten early. */
  replayCacheMax: number;
}

export const DPOP_DEFAULTS: DpopOptions = {
  requireNonce: false,
  iatSkewSeconds: 60,
  maxAgeSeconds: 300,
  nonceWindowSeconds: 300,
  replayCacheMax: 200_000,
};

/** Remembers proof ids until their proofs could no longer be accepted anyway. */
export interface ReplayCache {
  /** Records key until expiresAt (epoch ms); false when it is already there (a replay). */
  add(key: string, expiresAt: number): boolean;
  readonly size: number;
}

/** Server-issued DPoP nonces: stateless, rotating, checked by MAC. */
export interface NonceSource {
  /** The nonce to hand out now (the DPoP-Nonce header). */
  current(): string;
  isValid(nonce: string): boolean;
}

/** The DPoP state of a running server, on Services as `s.dpop`. */
export interface DpopRuntime {
  readonly options: DpopOptions;
  readonly replay: ReplayCache;
  readonly nonces: NonceSource;
  /**
   * Only when the store is PostgreSQL, which several servers may share: proofs that pass the
   * memory cache are also remembered there, so none can be replayed against another server.
   */
  readonly shared?: SharedReplay | undefined;
  /** verifyDpopProof with this runtime and the server's clock. */
  verify(input: DpopProofInput): Promise<DpopProofResult | undefined>;
  /** Stops the runtime's timers (pruning of the shared records). */
  close(): void;
}

export interface DpopDeps {
  clock: Clock;
  dpop: Pick<DpopRuntime, 'options' | 'replay' | 'nonces' | 'shared'>;
}

export interface DpopProofInput {
  /** The request's DPoP header value(s); undefined when it has none. */
  proof: string | readonly string[] | undefined;
  /** The request method, e.g. "POST". */
  htm: string;
  /** The request URI as the client addressed it; query and fragment are ignored. */
  htu: string;
  /** At a resource server: the access token presented with the proof (`ath` is then required). */
  accessToken?: string | undefined;
  /** Overrides options.requireNonce for this call (e.g. on for one endpoint only). */
  requireNonce?: boolean | undefined;
}

export interface DpopProofResult {
  /** RFC 7638 SHA-256 thumbprint of the proof's key: the token's cnf.jkt. */
  jkt: string;
}
