-- Revocations: kept until every credential they revoke has expired, then pruned.
-- seq is the deny-list feed's cursor. It is taken from revocation_head inside the writing
-- transaction; the row lock it holds until commit makes seq order equal commit order, even with
-- several servers on one PostgreSQL database, so a feed reader never skips a late commit.
CREATE TABLE revocations (
  seq BIGINT PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  value TEXT NOT NULL,
  reason TEXT NOT NULL,
  detected_at BIGINT NOT NULL,
  revoked_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  revoked_by TEXT NOT NULL
);
CREATE INDEX revocations_expires ON revocations (expires_at);
CREATE INDEX revocations_value ON revocations (kind, value, seq);

CREATE TABLE revocation_head (
  id INTEGER PRIMARY KEY,
  seq BIGINT NOT NULL
);
INSERT INTO revocation_head (id, seq) VALUES (1, 0);

-- Static API keys (tsk_…): only the SHA-256 of the key and its last 4 characters are stored.
-- No foreign key to identities: deleting an identity leaves its keys unusable (introspection
-- finds no identity) rather than blocking the delete.
CREATE TABLE static_keys (
  id TEXT PRIMARY KEY,
  identity_id TEXT NOT NULL,
  hash TEXT NOT NULL UNIQUE,
  last4 TEXT NOT NULL,
  owner TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  created_by TEXT NOT NULL,
  expires_at BIGINT NOT NULL,
  revoked_at BIGINT
);
CREATE INDEX static_keys_identity ON static_keys (identity_id, created_at);
