import { rmSync } from 'node:fs';
import { tempDir } from './temp.ts';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openStore, type Store } from '../../src/store/index.ts';
import type { Clock } from '../../src/shared/clock.ts';

export const STORE_KINDS = ['sqlite', 'postgres'] as const;
export type StoreKind = (typeof STORE_KINDS)[number];

/** PostgreSQL the tests use; CI makes sure it answers here. */
export const PG_URL = process.env.TESSERA_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export { tempDir };

/** A fresh store: SQLite in its own temp folder, or PostgreSQL in its own schema. */
export async function openTestStore(kind: StoreKind, opts: { clock?: Clock; dataDir?: string } = {}): Promise<{ store: Store; dataDir: string; schema?: string; cleanup(): Promise<void> }> {
  const dataDir = opts.dataDir ?? tempDir();
  if (kind === 'sqlite') {
    const store = await openStore({ dataDir, clock: opts.clock });
    return { store, dataDir, async cleanup() { await store.close().catch(() => {}); rmSync(dataDir, { recursive: true, force: true }); } };
  }
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const store = await openStore({ databaseUrl: PG_URL, schema, clock: opts.clock });
  return {
    store, dataDir, schema,
    async cleanup() {
      await store.close().catch(() => {});
      await dropSchema(schema);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function dropSchema(schema: string): Promise<void> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try { await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`); } finally { await c.end(); }
}
