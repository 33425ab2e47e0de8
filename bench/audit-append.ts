// Durable audit append throughput through the group-committing store, against the rate at
// which the same database commits single-row INSERTs one after another (each its own durable
// transaction) in the same run. Goal (issue 2): at least 5× that rate.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import { openStore, type Store } from '../src/store/index.ts';
import type { RequestContext } from '../src/shared/context.ts';
import { formatResult, type BenchResult } from './result.ts';

const PG_URL = process.env.TESSERA_BENCH_DATABASE_URL ?? process.env.TESSERA_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const RAW_MS = 2000;
const APPEND_MS = 2500;
const WAVE = 5000;

// A table shaped like audit_events, so the raw rate pays for the same row size and indexes.
const RAW_TABLE = `CREATE TABLE raw_events (
  seq BIGINT PRIMARY KEY, id TEXT NOT NULL UNIQUE, time BIGINT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
  target TEXT, outcome TEXT NOT NULL, request_id TEXT, source_ip TEXT, details TEXT NOT NULL,
  prev_hash TEXT NOT NULL, hash TEXT NOT NULL)`;
const RAW_INSERT = 'INSERT INTO raw_events VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)';
const rawRow = (seq: number): unknown[] => [seq, `id-${seq}-${randomBytes(4).toString('hex')}`, Date.now(), 'bench-actor',
  'bench.event', `target-${seq}`, 'success', `req-${seq}`, '127.0.0.1', `{"seq":${seq}}`, 'p'.repeat(64), 'h'.repeat(64)];

const ctx: RequestContext = { actor: { id: 'bench-actor', roles: ['admin'] }, requestId: 'bench', sourceIp: '127.0.0.1' };

/** Rows per second of `insert` called one after another for about `ms`. */
async function rawRate(insert: (seq: number) => Promise<void> | void, ms: number): Promise<number> {
  const start = performance.now();
  let n = 0;
  while (performance.now() - start < ms) await insert(++n);
  return n / ((performance.now() - start) / 1000);
}

/** Events per second through store.write, fired concurrently in waves, for about `ms`. */
async function appendRate(store: Store, ms: number): Promise<number> {
  const headBefore = (await store.audit.head()).seq;
  const start = performance.now();
  let n = 0;
  while (performance.now() - start < ms) {
    await Promise.all(Array.from({ length: WAVE }, (_, i) => store.write(async (tx) => {
      tx.audit(ctx, { action: 'bench.event', outcome: 'success', target: `target-${n + i}`, details: { i: n + i } });
    })));
    n += WAVE;
  }
  const secs = (performance.now() - start) / 1000;
  // Every acknowledged event must be in the chain, or the figure means nothing.
  const head = (await store.audit.head()).seq;
  if (head - headBefore !== n) throw new Error(`audit bench: ${n} writes acknowledged but the head moved by ${head - headBefore}`);
  return n / secs;
}

function pair(db: string, raw: number, ours: number): BenchResult[] {
  const against = `raw single-row INSERT (${db})`;
  return [
    { name: `audit append ${db}: raw durable single-row INSERT`, value: raw, unit: 'rows/s' },
    { name: `audit append ${db}: store.write, group commit`, value: ours, unit: 'events/s', ratio: ours / raw, against },
  ];
}

async function benchSqlite(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-'));
  try {
    const raw = new DatabaseSync(join(dir, 'raw.db'));
    raw.exec('PRAGMA journal_mode = WAL');
    raw.exec('PRAGMA synchronous = FULL');
    raw.exec(RAW_TABLE);
    const stmt = raw.prepare(RAW_INSERT.replace(/\$(\d+)/g, '?$1'));
    const rawPerSec = await rawRate((seq) => { stmt.run(...(rawRow(seq) as (string | number)[])); }, RAW_MS);
    raw.close();
    const store = await openStore({ dataDir: dir });
    try {
      return pair('sqlite', rawPerSec, await appendRate(store, APPEND_MS));
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function benchPostgres(): Promise<BenchResult[]> {
  const schema = `bench_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 5000 });
  await admin.connect();
  try {
    await admin.query(`CREATE SCHEMA ${schema}`);
    const raw = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${schema}` });
    await raw.connect();
    let rawPerSec: number;
    try {
      await raw.query(RAW_TABLE);
      rawPerSec = await rawRate(async (seq) => { await raw.query(RAW_INSERT, rawRow(seq)); }, RAW_MS);
    } finally {
      await raw.end();
    }
    const store = await openStore({ databaseUrl: PG_URL, schema });
    try {
      return pair('postgres', rawPerSec, await appendRate(store, APPEND_MS));
    } finally {
      await store.close();
    }
  } finally {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
    await admin.end();
  }
}

/** SQLite always; PostgreSQL when it answers (a note on stderr otherwise). */
export async function benchAuditAppend(): Promise<BenchResult[]> {
  const results = await benchSqlite();
  try {
    results.push(...await benchPostgres());
  } catch (e) {
    process.stderr.write(`audit append postgres: skipped, PostgreSQL at ${PG_URL.replace(/\/\/[^@]*@/, '//')} not usable: ${(e as Error).message}\n`);
  }
  return results;
}

if (import.meta.main) {
  for (const r of await benchAuditAppend()) console.log(formatResult(r));
}
