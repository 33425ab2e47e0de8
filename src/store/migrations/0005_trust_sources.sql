-- Trust sources: external OIDC issuers (Kubernetes, GitHub Actions, GitLab CI, any OIDC) whose
-- tokens the broker verifies. List-valued settings and the bindings are JSON text: they are
-- always read and written with their source, never queried on their own.
CREATE TABLE trust_sources (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  issuer TEXT NOT NULL UNIQUE,
  jwks_uri TEXT,
  jwks TEXT,
  jwks_file TEXT,
  algorithms TEXT NOT NULL,
  audiences TEXT NOT NULL,
  max_token_age_seconds INTEGER NOT NULL,
  environment TEXT NOT NULL,
  bindings TEXT NOT NULL,
  description TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  created_by TEXT NOT NULL,
  updated_at BIGINT NOT NULL,
  updated_by TEXT NOT NULL
);
