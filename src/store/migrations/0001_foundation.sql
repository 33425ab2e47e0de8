-- Portable SQL: the same file runs on SQLite and PostgreSQL.
-- Times are epoch milliseconds (BIGINT); JSON is stored as TEXT.

CREATE TABLE identities (
  id TEXT PRIMARY KEY,
  spiffe_id TEXT NOT NULL UNIQUE,
  owner TEXT NOT NULL,
  environment TEXT NOT NULL,
  tier INTEGER NOT NULL,
  max_ttl_seconds INTEGER NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  labels TEXT NOT NULL DEFAULT '{}',
  static_exception_reason TEXT,
  static_exception_expires_at BIGINT,
  created_at BIGINT NOT NULL,
  created_by TEXT NOT NULL,
  updated_at BIGINT NOT NULL,
  updated_by TEXT NOT NULL,
  disabled_at BIGINT,
  disabled_by TEXT
);
CREATE INDEX identities_owner ON identities (owner, id);
CREATE INDEX identities_environment ON identities (environment, id);
CREATE INDEX identities_tier ON identities (tier, id);

CREATE TABLE identity_labels (
  identity_id TEXT NOT NULL REFERENCES identities (id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (identity_id, key)
);
CREATE INDEX identity_labels_kv ON identity_labels (key, value, identity_id);

CREATE TABLE audit_events (
  seq BIGINT PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  time BIGINT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT,
  outcome TEXT NOT NULL,
  request_id TEXT,
  source_ip TEXT,
  details TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX audit_events_action ON audit_events (action, seq);
CREATE INDEX audit_events_time ON audit_events (time);

-- One row: the chain's head. Appenders lock it (UPDATE ... RETURNING) so that several
-- servers sharing a PostgreSQL database still build one linear chain.
CREATE TABLE audit_head (
  id INTEGER PRIMARY KEY,
  seq BIGINT NOT NULL,
  hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Principals that may obtain access tokens by signing an RFC 7523 assertion.
CREATE TABLE principals (
  id TEXT PRIMARY KEY,
  roles TEXT NOT NULL,
  public_jwk TEXT NOT NULL,
  jwk_thumbprint TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  created_by TEXT NOT NULL,
  disabled_at BIGINT
);

-- Assertion ids already used, kept until the assertion would have expired (replay defence).
CREATE TABLE used_assertions (
  jti TEXT PRIMARY KEY,
  expires_at BIGINT NOT NULL
);

-- Signing keys (JWT signing, X.509 CA). Private keys are AES-256-GCM encrypted under the KEK.
CREATE TABLE signing_keys (
  kid TEXT PRIMARY KEY,
  purpose TEXT NOT NULL,
  alg TEXT NOT NULL,
  public_jwk TEXT NOT NULL,
  private_key_enc TEXT NOT NULL,
  status TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  activated_at BIGINT,
  retired_at BIGINT
);
CREATE INDEX signing_keys_purpose ON signing_keys (purpose, status);
