import type { Clock } from '../../shared/clock.ts';
import type { UnitOfWork } from '../../shared/tx.ts';
import type { Identity, IdentityRepo } from '../../identity/index.ts';
import type { CaRuntime, decodeJws } from '../../ca/index.ts';
import type { DenyList } from '../../revocation/index.ts';
import type { PolicySet, SubjectSource } from '../../policy/index.ts';
import type { JoinToken, JoinTokenRepo } from '../join-tokens/index.ts';
import type { ActiveException } from '../../policy/exceptions/index.ts';
import type { ActiveElevation } from '../../policy/elevation/index.ts';
import type { BindingMatch, VerifiedExternalToken } from '../trust/index.ts';

export type { BindingMatch, VerifiedExternalToken };

/**
 * External OIDC tokens (Kubernetes, GitHub Actions, GitLab CI…): verification and binding
 * belong to the trust capability (src/broker/trust); the exchange only needs these two steps.
 */
export interface ExternalTrust {
  /**
   * Throws ERR_INVALID_GRANT naming why the token is not acceptable. `decoded` is the token
   * already decoded by the exchange (decodeJws of this very token), so it is not decoded twice.
   */
  verify(token: string, decoded?: ReturnType<typeof decodeJws>): Promise<VerifiedExternalToken>;
  match(verified: VerifiedExternalToken): Promise<BindingMatch>;
}

export interface ExchangeDeps {
  store: {
    identities: Pick<IdentityRepo, 'get' | 'getBySpiffeId'>;
    joinTokens: JoinTokenRepo;
    write: UnitOfWork['write'];
  };
  clock: Clock;
  /** This server's issuer: iss of every token it signs. */
  issuer: string;
  /** `<issuer>/oauth2/token`: a JWT-SVID presented as a subject token must be meant for one of these two. */
  tokenEndpoint: string;
  ca: Pick<CaRuntime, 'jwtSigner' | 'jwtKeys' | 'trustDomain'>;
  revocations: Pick<DenyList, 'isRevoked'>;
  /** The server's policy maximum for any SVID (config svidMaxTtl), seconds. */
  svidMaxTtl: number;
  /** External issuers; absent until trust sources are configured. */
  external?: ExternalTrust | undefined;
  /** The policies decide() evaluates; the built-in set when absent. */
  policies?: PolicySet | undefined;
  /** The subject's running elevations at `now` (decide() sees them as context.elevations). */
  elevations?: ((spiffeId: string, now: number) => Promise<ActiveElevation[]>) | undefined;
  /** Policy exceptions active at `now` (decide() sees those scoped to the subject as context.exceptions). */
  exceptions?: ((now: number) => readonly ActiveException[]) | undefined;
  /** config elevationAudiences: audiences granted only inside an elevation for them. */
  elevationAudiences?: readonly string[] | undefined;
}

/** The form parameters of RFC 8693 §2.1 (audience and resource may repeat). */
export type ExchangeForm = Record<string, string | string[] | undefined>;

/** Sender constraints proven by the request itself (DPoP proof, TLS client certificate). */
export interface SenderConstraint {
  /** RFC 9449: thumbprint of the request's verified DPoP proof key. */
  dpopJkt?: string | undefined;
  /**
   * RFC 8705: the TLS client certificate, already verified as an X509-SVID of this trust domain.
   * The token is bound to it only when it names the identity the token is issued to.
   */
  mtls?: { spiffeId: string; x5tS256: string } | undefined;
}

/** What the issued token is bound to (its cnf). */
export interface TokenBinding {
  dpopJkt?: string | undefined;
  mtlsX5t?: string | undefined;
}

/** Who a subject (or actor) token speaks for, and how we know. */
export interface ResolvedSubject {
  identity: Identity;
  source: SubjectSource;
  claims: Record<string, unknown>;
  binding?: string | undefined;
  /** The join token to consume in the same transaction as the issued token's audit event. */
  joinToken?: JoinToken | undefined;
  /** The subject token's own expiry (epoch s), when issuance must not outlive it. */
  notAfter?: number | undefined;
}

/** RFC 8693 §2.2.1. */
export interface ExchangeResponse {
  access_token: string;
  issued_token_type: string;
  token_type: 'Bearer' | 'DPoP' | 'N_A';
  expires_in: number;
  scope?: string;
}
