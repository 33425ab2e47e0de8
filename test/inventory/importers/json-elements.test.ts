import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonElements } from '../../../src/inventory/importers/json-elements.ts';
import { isTesseraError } from '../../../src/shared/errors.ts';

async function* pieces(text: string, size: number): AsyncGenerator<Buffer> {
  const b = Buffer.from(text);
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
}
async function all(text: string, size: number, arrays?: string[]) {
  const run = jsonElements(pieces(text, size), { what: 'the test file', ...(arrays ? { arrays } : {}) });
  const out: unknown[] = [];
  for await (const e of run.elements) out.push(e.value);
  return { out, top: run.top };
}

test('elements and top-level members come out exactly as JSON.parse sees them, whatever the piece size', async () => {
  const doc = {
    apiVersion: 'v1',
    items: [
      { a: 'quote " inside', b: 'backslash \\ then quote \\" end', c: '\\\\', d: 'ünïcödé ✓', e: [1, { f: '}]' }] },
      'a "string" element', 42, null, true, [[]], {},
    ],
    kind: 'List', 'we"ird\\key': { x: '\\' }, metadata: {},
  };
  const text = JSON.stringify(doc, null, 1);
  for (const size of [1, 2, 3, 5, 8, 13, 64, 1 << 20]) {
    const { out, top } = await all(text, size, ['items']);
    assert.deepEqual(out, doc.items, `piece size ${size}`);
    assert.deepEqual(top, { apiVersion: 'v1', kind: 'List', 'we"ird\\key': { x: '\\' }, metadata: {} }, `piece size ${size}`);
  }
});

test('a root array is streamed too; truncated, empty and non-JSON input are refused with the field named', async () => {
  assert.deepEqual((await all('[{"a":"\\\\"},"x\\"y"]', 2)).out, [{ a: '\\' }, 'x"y']);
  for (const [text, rule] of [['{"items":[{"a":"b\\"', 'truncated'], ['', 'empty'], ['not json', 'json'], ['{"items":[{"a":}]}', 'json']] as const) {
    await assert.rejects(all(text, 3, ['items']), (e) => isTesseraError(e, 'ERR_INVALID_INPUT') && e.details?.field === 'file' && e.details?.rule === rule, text);
  }
});
