import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { jsonDocuments } from '../../../src/inventory/importers/json-documents.ts';
import { jsonObjectMembers } from '../../../src/inventory/importers/json-object-members.ts';
import { isTesseraError } from '../../../src/shared/errors.ts';
import { chunks } from './importer-kit.ts';

async function documents(text: string, size: number): Promise<string[]> {
  const out: string[] = [];
  for await (const doc of jsonDocuments(chunks(text, size))) {
    const parts: Buffer[] = [];
    for await (const b of doc) parts.push(b);
    out.push(Buffer.concat(parts).toString());
  }
  return out;
}

async function members(text: string, size: number): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const m of jsonObjectMembers(chunks(text, size), { what: 'the test file' })) out.push([m.key, m.value]);
  return out;
}

// Brackets and quotes inside strings, escaped quotes and backslashes, multi-byte characters.
const TRICKY = '{"a": "]}[{", "b\\"]": "x\\\\", "c": ["é", {"d": "\\"}"}]}';

describe('jsonDocuments', () => {
  it('splits documents written back to back, at any chunk size', async () => {
    const text = `\ufeff[1, 2]\n${TRICKY}[]\n\n  {"e": []}  \n`;
    for (const size of [1, 2, 3, 7, 1 << 16]) {
      assert.deepEqual(await documents(text, size), ['\ufeff[1, 2]'.slice(1), TRICKY, '[]', '{"e": []}'], `chunks of ${size}`);
    }
  });

  it('yields nothing for an empty input and hands a non-JSON rest over whole', async () => {
    assert.deepEqual(await documents(' \n', 1), []);
    assert.deepEqual(await documents('[1] oops [2]', 3), ['[1]', 'oops [2]']);
    assert.deepEqual(await documents('[1, [2', 2), ['[1, [2']);
  });
});

describe('jsonObjectMembers', () => {
  it('streams members whatever the chunking, with escaped keys and tricky strings', async () => {
    const text = `{"k\\"1": ${TRICKY}, "ключ": {"v": "}"}}`;
    for (const size of [1, 5, 1 << 16]) {
      assert.deepEqual(await members(text, size), [['k"1', JSON.parse(TRICKY)], ['ключ', { v: '}' }]], `chunks of ${size}`);
    }
  });

  it('refuses values that are not objects, missing commas, and values over the size limit', async () => {
    const rule = (r: string) => (e: unknown) => isTesseraError(e, 'ERR_INVALID_INPUT') && e.details?.rule === r && e.details?.field === 'file';
    await assert.rejects(members('{"a": 1}', 4), rule('member-not-object'));
    await assert.rejects(members('{"a": {} "b": {}}', 4), rule('json'));
    await assert.rejects(members('{"a" {}}', 4), rule('json'));
    await assert.rejects(members('{"a": {"x": tru}}', 4), rule('json'));
    const big = `{"a": {"x": "${'y'.repeat(100)}"}}`;
    await assert.rejects((async () => { for await (const _ of jsonObjectMembers(chunks(big, 10), { what: 't', maxValueBytes: 50 })) { /* read */ } })(), rule('element-size'));
  });
});
