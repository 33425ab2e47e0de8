import type { JwsAlg } from '../../ca/verify-signature.ts';

/** The issuers Tessera knows the token shape of; `oidc` is any other OpenID Connect issuer. */
export type TrustKind = 'kubernetes' | 'github-actions' | 'gitlab-ci' | 'oidc';
export const TRUST_KINDS: readonly TrustKind[] = ['kubernetes', 'github-actions', 'gitlab-ci', 'oidc'];

/** Algorithms an external issuer may be pinned to (EdDSA is ours only: no CI issuer uses it). */
export type ExternalAlg = Extract<JwsAlg, 'ES256' | 'RS256'>;
export const EXTERNAL_ALGS: readonly ExternalAlg[] = ['ES256', 'RS256'];

/** One rule from verified claims to a registered identity. */
export interface TrustBinding {
  name: string;
  /** CEL over `claims`; must evaluate to true. */
  condition: string;
  /** e.g. spiffe://tessera.local/ci/{claims.repository_id}/deploy; see template.ts. */
  spiffeId: string;
}

export interface TrustSource {
  id: string;
  name: string;
  kind: TrustKind;
  /** Exact `iss` of the tokens; also where discovery is fetched from. */
  issuer: string;
  /** Overrides discovery's jwks_uri (e.g. a cluster without discovery). */
  jwksUri: string | null;
  /** Inline JWKS (air-gapped): no fetching at all. */
  jwks: { keys: Record<string, unknown>[] } | null;
  /** A JWKS file on the server (air-gapped, updated out of band). */
  jwksFile: string | null;
  algorithms: ExternalAlg[];
  audiences: string[];
  maxTokenAgeSeconds: number;
  /** The environment this source is trusted for: only a `prod` source binds to prod identities. */
  environment: string;
  bindings: TrustBinding[];
  description: string;
  createdAt: number;
  createdBy: string;
  updatedAt: number;
  updatedBy: string;
}
