-- At most one active key per purpose, enforced by the database: several servers sharing one
-- PostgreSQL database may start at once, and only one of them may create the first key.
CREATE UNIQUE INDEX signing_keys_one_active ON signing_keys (purpose) WHERE status = 'active';

-- Used assertion ids are pruned by expiry.
CREATE INDEX used_assertions_expires ON used_assertions (expires_at);
