// Shared plumbing for the importer tests: feed a file in chunks of any size, collect what an
// importer yields, and catch the error it ends with (with the records it yielded before).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TesseraError } from '../../../src/shared/errors.ts';
import type { Importer, ImportOptions, InventoryRecord } from '../../../src/inventory/types.ts';

export const FIXTURES = fileURLToPath(new URL('../../fixtures/inventory/', import.meta.url));

export const fixture = (path: string): Buffer => readFileSync(FIXTURES + path);

/** Feeds `data` as Buffers of `size` bytes (1 splits every token, UTF-8 sequence and key). */
export async function* chunks(data: string | Buffer, size = 1 << 16): AsyncGenerator<Buffer> {
  const buf = typeof data === 'string' ? Buffer.from(data) : data;
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

export async function collect(records: AsyncIterable<InventoryRecord>): Promise<InventoryRecord[]> {
  const out: InventoryRecord[] = [];
  for await (const r of records) out.push(r);
  return out;
}

/** Runs an importer over `data` and returns its records and scope. */
export async function importAll(importer: Importer, data: string | Buffer, opts: Partial<ImportOptions> = {}, size?: number) {
  const run = importer.parse(chunks(data, size), { now: Date.parse('2024-07-01T00:00:00Z'), ...opts });
  const records = await collect(run.records);
  return { records, scope: run.scope() };
}

/**
 * Runs an importer that must fail: returns the ERR_INVALID_INPUT it threw (asserting its
 * field, and its rule when given) and the records it had yielded before failing.
 */
export async function importFailure(
  importer: Importer, data: string | Buffer, want: { field: string; rule?: string; message?: RegExp }, opts: Partial<ImportOptions> = {},
): Promise<{ error: TesseraError; before: InventoryRecord[] }> {
  const before: InventoryRecord[] = [];
  let caught: unknown;
  try {
    const run = importer.parse(chunks(data), { now: Date.parse('2024-07-01T00:00:00Z'), ...opts });
    for await (const r of run.records) before.push(r);
    run.scope();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof TesseraError, `expected a TesseraError, got ${String(caught)}`);
  assert.equal(caught.code, 'ERR_INVALID_INPUT', caught.message);
  assert.equal(caught.details?.field, want.field, caught.message);
  if (want.rule !== undefined) assert.equal(caught.details?.rule, want.rule, caught.message);
  if (want.message) assert.match(caught.message, want.message);
  return { error: caught, before };
}
