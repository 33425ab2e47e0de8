import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readCsvRows, type CsvRow } from '../../../src/inventory/importers/read-csv-rows.ts';
import { isTesseraError } from '../../../src/shared/errors.ts';

/** Feeds `text` as Buffers of `size` bytes (1 splits every UTF-8 sequence and CRLF). */
async function* chunks(text: string | Buffer, size: number): AsyncGenerator<Buffer> {
  const buf = typeof text === 'string' ? Buffer.from(text) : text;
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

async function rows(text: string | Buffer, size = 1 << 16, opts = {}): Promise<CsvRow[]> {
  const out: CsvRow[] = [];
  for await (const r of readCsvRows(chunks(text, size), opts)) out.push(r);
  return out;
}

const invalid = (rule: string, line?: number) => (e: unknown) =>
  isTesseraError(e, 'ERR_INVALID_INPUT') && e.details?.field === 'file' && e.details?.rule === rule &&
  (line === undefined || e.details?.line === line);

describe('readCsvRows', () => {
  it('reads plain rows with LF or CRLF, with or without a final line break', async () => {
    const want = [['a', 'b', 'c'], ['1', '', '3']];
    assert.deepEqual(await rows('a,b,c\n1,,3\n'), want);
    assert.deepEqual(await rows('a,b,c\r\n1,,3\r\n'), want);
    assert.deepEqual(await rows('a,b,c\n1,,3'), want);
    assert.deepEqual(await rows('a,b,c\r1,,3\r'), want); // old Mac line ends
  });

  it('keeps empty trailing fields and skips blank lines', async () => {
    assert.deepEqual(await rows('a,\n\n,b\n,\n'), [['a', ''], ['', 'b'], ['', '']]);
  });

  it('reads quoted fields: commas, "" escapes, line breaks kept as written, empty quotes', async () => {
    const text = 'name,note\n"ops,bot","say ""hi"""\n"multi\r\nline","x"\n"",""\n';
    assert.deepEqual(await rows(text), [['name', 'note'], ['ops,bot', 'say "hi"'], ['multi\r\nline', 'x'], ['', '']]);
  });

  it('strips a UTF-8 byte order mark, from bytes or from a string', async () => {
    assert.deepEqual(await rows(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('user,arn\n')])), [['user', 'arn']]);
    const fromString: string[][] = [];
    for await (const r of readCsvRows((async function* () { yield '\ufeffuser,arn\n'; })())) fromString.push(r);
    assert.deepEqual(fromString, [['user', 'arn']]);
  });

  it('gives the same rows whatever the chunk size (1-byte chunks split UTF-8, CRLF and "")', async () => {
    const text = '\ufeffuser,note\r\n"zoë, ""the"" operator","🔑 key\r\nrotated"\r\nplain,é\r\n"",last';
    const whole = await rows(text);
    assert.deepEqual(whole, [['user', 'note'], ['zoë, "the" operator', '🔑 key\r\nrotated'], ['plain', 'é'], ['', 'last']]);
    for (const size of [1, 2, 3, 5, 7]) assert.deepEqual(await rows(text, size), whole, `chunk size ${size}`);
  });

  it('tells the line each row starts on, counting line breaks inside quotes', async () => {
    const text = 'h1,h2\n"a\nb",c\n\nd,e\r\nf,"g\r\nh"\r\ni,j';
    for (const size of [1, 1000]) {
      assert.deepEqual((await rows(text, size)).map((r) => r.line), [1, 2, 5, 6, 8], `chunk size ${size}`);
    }
  });

  it('yields nothing for an empty file', async () => {
    assert.deepEqual(await rows(''), []);
  });

  it('refuses a file that ends inside a quoted field, naming the line the field starts on', async () => {
    for (const size of [1, 1000]) {
      const seen: string[][] = [];
      await assert.rejects(async () => { for await (const r of readCsvRows(chunks('a,b\n1,2\n3,"unfinish\ned', size))) seen.push(r); }, invalid('truncated', 3));
      assert.deepEqual(seen, [['a', 'b'], ['1', '2']], 'complete rows before the cut were read, the broken one never');
    }
  });

  it('accepts a quoted field closed by the very last byte', async () => {
    assert.deepEqual(await rows('a,"b"', 1), [['a', 'b']]);
  });

  it('refuses a quote inside an unquoted field and text after a closing quote', async () => {
    await assert.rejects(rows('a,b"c\n'), invalid('quote', 1));
    await assert.rejects(rows('x\n"a"b,c\n'), invalid('quote', 2));
    await assert.rejects(rows('ab"c', 1), invalid('quote', 1));
  });

  it('refuses a field over the size limit instead of buffering the rest of the file', async () => {
    await assert.rejects(rows(`a,"${'x'.repeat(100)}`, 10, { maxFieldChars: 50 }), invalid('field-size'));
    await assert.rejects(rows(`a,${'x'.repeat(100)}\n`, 10, { maxFieldChars: 50 }), invalid('field-size'));
    assert.deepEqual(await rows(`a,${'x'.repeat(50)}\n`, 10, { maxFieldChars: 50 }), [['a', 'x'.repeat(50)]]);
  });

  it('refuses a row with more fields than the limit, on either path', async () => {
    await assert.rejects(rows(`${'a,'.repeat(20)}a\n`, 1000, { maxFields: 20 }), invalid('row-size', 1));
    await assert.rejects(rows(`x\n${'a,'.repeat(20)}`, 7, { maxFields: 20 }), invalid('row-size', 2));
    assert.equal((await rows(`${'a,'.repeat(19)}a\n`, 1000, { maxFields: 20 }))[0]!.length, 20);
  });

  it('names the file kind in its messages', async () => {
    await assert.rejects(rows('"open', 1000, { what: 'the credential report' }), /^TesseraError: the credential report: /);
  });
});
