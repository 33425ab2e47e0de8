-- Policy exceptions: named, owned, approved by someone other than their creator, and always
-- expiring. Revocation is a timestamp, never a delete: the debt report counts expired and revoked
-- exceptions too. scope is JSON ({identity?, namespace?, kind?, name?}).
CREATE TABLE policy_exceptions (
  name TEXT PRIMARY KEY,
  policy TEXT NOT NULL,
  scope TEXT NOT NULL,
  reason TEXT NOT NULL,
  owner TEXT NOT NULL,
  approver TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  created_by TEXT NOT NULL,
  expires_at BIGINT NOT NULL,
  revoked_at BIGINT,
  revoked_by TEXT
);
CREATE INDEX policy_exceptions_expiry ON policy_exceptions (expires_at);

-- Just-in-time elevations: a grant (one role or one audience) for one subject, for a window that
-- starts when an approver approves it. state moves requested -> approved | denied, approved ->
-- revoked, each by a conditional UPDATE; "expired" is never stored, it is approved past expires_at.
CREATE TABLE elevations (
  id TEXT PRIMARY KEY,
  subject TEXT NOT NULL,
  grant_role TEXT,
  grant_audience TEXT,
  duration_s INTEGER NOT NULL,
  reason TEXT NOT NULL,
  state TEXT NOT NULL,
  requested_by TEXT NOT NULL,
  requested_at BIGINT NOT NULL,
  decided_by TEXT,
  decided_at BIGINT,
  decision_reason TEXT,
  starts_at BIGINT,
  expires_at BIGINT,
  revoked_at BIGINT,
  revoked_by TEXT
);
CREATE INDEX elevations_subject ON elevations (subject, state, expires_at);
CREATE INDEX elevations_requested ON elevations (requested_at, id);
