-- Join tokens (tjt_…): single-use bootstrap proofs for a node or agent with no other credential.
-- Only the SHA-256 of the token is stored. used_at is set once, by a conditional UPDATE, which is
-- what makes a token single-use even when two redemptions race. No foreign key to identities:
-- deleting an identity leaves its join tokens unusable rather than blocking the delete.
CREATE TABLE join_tokens (
  id TEXT PRIMARY KEY,
  identity_id TEXT NOT NULL,
  hash TEXT NOT NULL UNIQUE,
  created_at BIGINT NOT NULL,
  created_by TEXT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT
);
CREATE INDEX join_tokens_identity ON join_tokens (identity_id, created_at);
CREATE INDEX join_tokens_created ON join_tokens (created_at, id);
