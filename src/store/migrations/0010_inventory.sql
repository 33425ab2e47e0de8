-- Inventory: one row per (feed, native id), where a feed is one importer kind for one scope
-- (account, cluster, project, repository). An import is one transaction: it upserts the records,
-- marks rows the export no longer has as removed, and writes what changed. Times are epoch ms.
CREATE TABLE inventory_imports (
  id TEXT PRIMARY KEY,
  feed TEXT NOT NULL,
  source TEXT NOT NULL,
  scope TEXT NOT NULL,
  imported_at BIGINT NOT NULL,
  imported_by TEXT NOT NULL,
  digest TEXT NOT NULL,
  records INTEGER NOT NULL,
  added INTEGER NOT NULL,
  changed INTEGER NOT NULL,
  removed INTEGER NOT NULL,
  unchanged INTEGER NOT NULL
);
CREATE INDEX inventory_imports_time ON inventory_imports (imported_at);

CREATE TABLE inventory_items (
  id TEXT PRIMARY KEY,
  feed TEXT NOT NULL,
  source TEXT NOT NULL,
  native_id TEXT NOT NULL,
  category TEXT NOT NULL,
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  parent_id TEXT,
  owner TEXT,
  service TEXT,
  environment TEXT,
  tier TEXT,
  created_at BIGINT,
  last_rotated_at BIGINT,
  last_used_at BIGINT,
  expires_at BIGINT,
  active INTEGER NOT NULL,
  long_lived INTEGER NOT NULL,
  federated INTEGER NOT NULL,
  wildcard INTEGER NOT NULL,
  attributes TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  first_seen_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  last_import TEXT NOT NULL,
  removed_at BIGINT
);
-- id is a hash of (feed, native_id), so the primary key already keeps that pair unique.
CREATE INDEX inventory_items_feed ON inventory_items (feed);
CREATE INDEX inventory_items_native ON inventory_items (native_id);
CREATE INDEX inventory_items_parent ON inventory_items (parent_id);
CREATE INDEX inventory_items_first_seen ON inventory_items (first_seen_at);

-- Privileges and graph edges belong to the item row that reported them and are replaced with it.
CREATE TABLE inventory_privileges (
  item_id TEXT NOT NULL,
  action TEXT NOT NULL,
  resource TEXT NOT NULL,
  wildcard INTEGER NOT NULL,
  sensitive INTEGER NOT NULL
);
CREATE INDEX inventory_privileges_item ON inventory_privileges (item_id);

CREATE TABLE inventory_edges (
  item_id TEXT NOT NULL,
  from_id TEXT NOT NULL,
  to_id TEXT NOT NULL,
  relation TEXT NOT NULL
);
CREATE INDEX inventory_edges_item ON inventory_edges (item_id);
CREATE INDEX inventory_edges_from ON inventory_edges (from_id);

-- What each import changed: added, changed (fields holds {field: [before, after]}), widened
-- (privileges grew), removed, expired-active (an expiry passed while the credential is active).
CREATE TABLE inventory_changes (
  import_id TEXT NOT NULL,
  at BIGINT NOT NULL,
  item_id TEXT NOT NULL,
  native_id TEXT NOT NULL,
  change TEXT NOT NULL,
  fields TEXT NOT NULL
);
CREATE INDEX inventory_changes_time ON inventory_changes (at);
CREATE INDEX inventory_changes_import ON inventory_changes (import_id);

-- Correlation: one workload name over the items of several systems (rule or manual link).
CREATE TABLE inventory_links (
  native_id TEXT PRIMARY KEY,
  workload TEXT NOT NULL,
  rule TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  created_by TEXT NOT NULL
);
CREATE INDEX inventory_links_workload ON inventory_links (workload);

-- Posture metrics as computed after each import, for trends: one row per metric and group.
CREATE TABLE posture_history (
  import_id TEXT NOT NULL,
  taken_at BIGINT NOT NULL,
  metric TEXT NOT NULL,
  group_by TEXT NOT NULL,
  group_value TEXT NOT NULL,
  value DOUBLE PRECISION
);
CREATE INDEX posture_history_time ON posture_history (taken_at);
