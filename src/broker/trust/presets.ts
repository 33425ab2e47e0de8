import type { ExternalAlg, TrustKind } from './types.ts';

export interface Preset {
  /** The public issuer, when the kind has one (self-hosted GitLab or GHES give their own). */
  issuer?: string;
  algorithms: ExternalAlg[];
  maxTokenAgeSeconds: number;
}

const HOUR = 3600;

/** Longest token age any source may accept: older tokens are refused whatever the source says. */
export const MAX_TOKEN_AGE_CAP_SECONDS = 24 * HOUR;

// GitHub and GitLab sign with RS256; Kubernetes API servers use RS256 unless given an EC key.
// CI tokens live minutes, so an hour of age is generous; projected SA tokens default to 1h.
export const PRESETS: Record<TrustKind, Preset> = {
  'github-actions': { issuer: 'https://token.actions.githubusercontent.com', algorithms: ['RS256'], maxTokenAgeSeconds: HOUR },
  'gitlab-ci': { issuer: 'https://gitlab.com', algorithms: ['RS256'], maxTokenAgeSeconds: HOUR },
  kubernetes: { algorithms: ['RS256'], maxTokenAgeSeconds: HOUR },
  oidc: { algorithms: ['RS256'], maxTokenAgeSeconds: HOUR },
};
