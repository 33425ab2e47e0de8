-- Stored policies (/v1/policies): the checked policy document as JSON, one row per name. Names
-- must also be unique against the built-in set and the policy directory; the server checks that
-- when it compiles the live set, since the directory is not in the database.
CREATE TABLE policies (
  name TEXT PRIMARY KEY,
  document TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  created_by TEXT NOT NULL,
  updated_at BIGINT NOT NULL,
  updated_by TEXT NOT NULL
);
