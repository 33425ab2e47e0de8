-- Optimistic concurrency for identities: every change bumps version, and a change made from a
-- stale read (two admins editing at once, or an HTTP If-Match that no longer matches) is refused
-- instead of silently overwriting the other.
ALTER TABLE identities ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
