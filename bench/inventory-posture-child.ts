// Child process of bench/inventory.ts: fills a SQLite store with N credentials (a quarter of
// them identities with privileges and edges) and times computePosture (overall and grouped by
// tier, as every import stores it) and listHygiene against a COUNT(*) scan. A data directory
// that already holds the rows is reused, so repeated runs time the queries alone.
import { mkdirSync } from 'node:fs';
import { openStore, sqlOf } from '../src/store/index.ts';
import { computePosture } from '../src/inventory/posture/compute-posture.ts';
import { listHygiene } from '../src/inventory/posture/list-hygiene.ts';

const [nText, dataDir] = process.argv.slice(2) as [string, string];
const n = Number(nText);
mkdirSync(dataDir, { recursive: true });
const store = await openStore({ dataDir });
const now = Date.parse('2026-11-23T00:00:00Z');
const filled = await store.db.get<{ n: unknown }>('SELECT COUNT(*) AS n FROM inventory_items');
if (Number(filled?.n) === 0) await store.write(async (tx) => {
  const sql = sqlOf(tx);
  // Generated in SQL: a recursive counter, so the bench measures posture, not row shipping.
  await sql.run(`WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i + 1 < $1)
    INSERT INTO inventory_items (id, feed, source, native_id, category, kind, name, parent_id, owner, service, environment, tier,
      created_at, last_rotated_at, last_used_at, expires_at, active, long_lived, federated, wildcard, attributes, content_hash,
      first_seen_at, updated_at, last_import, removed_at)
    SELECT 'c' || i, 'bench:1', CASE i % 4 WHEN 0 THEN 'aws-credential-report' WHEN 1 THEN 'kubernetes' WHEN 2 THEN 'gcp-service-account-keys' ELSE 'github-actions-secrets' END,
      'cred/' || i, 'credential', CASE WHEN i % 5 = 0 THEN 'federated-role' ELSE 'static-key' END, 'cred-' || i, 'id/' || (i / 4),
      CASE WHEN i % 7 = 0 THEN NULL ELSE 'team-' || (i % 300) END, NULL, CASE i % 3 WHEN 0 THEN 'prod' WHEN 1 THEN 'staging' ELSE 'dev' END,
      CAST(1 + i % 3 AS TEXT), $2 - (i % 1000) * 86400000, CASE WHEN i % 2 = 0 THEN $2 - (i % 400) * 86400000 END,
      CASE WHEN i % 3 = 0 THEN NULL ELSE $2 - (i % 200) * 86400000 END, CASE WHEN i % 11 = 0 THEN $2 - 86400000 END,
      CASE WHEN i % 13 = 0 THEN 0 ELSE 1 END, CASE WHEN i % 5 = 0 THEN 0 ELSE 1 END, CASE WHEN i % 5 = 0 THEN 1 ELSE 0 END, 0, '{}', 'h', $2, $2, 'bench', NULL
    FROM c`, [n, now]);
  await sql.run(`WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i + 1 < $1)
    INSERT INTO inventory_items (id, feed, source, native_id, category, kind, name, parent_id, owner, service, environment, tier,
      created_at, last_rotated_at, last_used_at, expires_at, active, long_lived, federated, wildcard, attributes, content_hash,
      first_seen_at, updated_at, last_import, removed_at)
    SELECT 'i' || i, 'bench:1', 'aws-authorization-details', 'id/' || i, 'identity', 'role', 'svc-' || i, NULL,
      CASE WHEN i % 9 = 0 THEN NULL ELSE 'team-' || (i % 300) END, CASE WHEN i % 4 = 0 THEN 'svc-' || (i % 500) END,
      CASE i % 3 WHEN 0 THEN 'prod' WHEN 1 THEN 'staging' ELSE 'dev' END, CAST(1 + i % 3 AS TEXT), $2, NULL, $2, NULL, 1, 0, 0,
      CASE WHEN i % 17 = 0 THEN 1 ELSE 0 END, '{}', 'h', $2, $2, 'bench', NULL FROM c`, [Math.floor(n / 4), now]);
  await sql.run(`WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i + 1 < $1)
    INSERT INTO inventory_privileges (item_id, action, resource, wildcard, sensitive)
    SELECT 'i' || i, CASE WHEN i % 17 = 0 THEN 's3:*' ELSE 's3:GetObject' END, 'arn:aws:s3:::bucket-' || (i % 1000), CASE WHEN i % 17 = 0 THEN 1 ELSE 0 END, CASE WHEN i % 17 = 0 THEN 1 ELSE 0 END FROM c`, [Math.floor(n / 4)]);
  await sql.run(`WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i + 1 < $1)
    INSERT INTO inventory_edges (item_id, from_id, to_id, relation) SELECT 'i' || i, 'id/' || i, 'id/' || ((i * 7 + 1) % CAST($1 AS INTEGER)), 'can-assume' FROM c WHERE i % 10 = 0`, [Math.floor(n / 4)]);
});
const f0 = process.hrtime.bigint();
await store.db.get('SELECT COUNT(*) AS n FROM inventory_items WHERE removed_at IS NULL');
const floorSeconds = Number(process.hrtime.bigint() - f0) / 1e9;
async function timed<T>(run: () => Promise<T>): Promise<[number, T]> {
  const t = process.hrtime.bigint();
  const value = await run();
  return [Number(process.hrtime.bigint() - t) / 1e9, value];
}
const [seconds, posture] = await timed(() => computePosture(store.db, { now }));
const [tierSeconds] = await timed(() => computePosture(store.db, { now, groupBy: 'tier' }));
// The first 100 of each list as the dashboard shows them, then the whole lists.
const [hygiene100Seconds] = await timed(() => listHygiene(store.db, { now, limit: 100 }));
const [hygieneSeconds, hygiene] = await timed(() => listHygiene(store.db, { now }));
await store.close();
console.log(JSON.stringify({
  seconds, floorSeconds, metrics: posture.metrics.length, tierSeconds, hygieneSeconds, hygiene100Seconds,
  hygieneTotals: Object.fromEntries(hygiene.lists.map((l) => [l.id, l.total])),
}));
