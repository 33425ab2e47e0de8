// Streams the rows of an RFC 4180 CSV file. The text is decoded chunk by chunk (a UTF-8 sequence
// or a CRLF split across two chunks is fine) and only the row being read is held, so a credential
// report of 200k users or a 2 GB file stays flat in memory.
import { StringDecoder } from 'node:string_decoder';
import { TesseraError } from '../../shared/errors.ts';

/**
 * One row's fields. `line` (1-based, the line the row starts on) is a non-enumerable extra so
 * a row still compares equal to a plain string[]; importers use it in error messages.
 */
export type CsvRow = string[] & { readonly line: number };

export interface ReadCsvOptions {
  /** Largest single field accepted (characters); an unclosed quote otherwise swallows the file. */
  maxFieldChars?: number;
  /** Most fields in one row; a file without line breaks otherwise becomes one endless row. */
  maxFields?: number;
  /** Used in error messages ("the credential report"). */
  what?: string;
}

const QUOTE = 0x22, COMMA = 0x2c, LF = 0x0a, CR = 0x0d;
const FAST_LINE = 64 * 1024; // longer lines take the checked path (field and row size limits)

export async function* readCsvRows(input: AsyncIterable<Buffer | string>, opts: ReadCsvOptions = {}): AsyncGenerator<CsvRow> {
  for await (const batch of readCsvRowBatches(input, opts)) yield* batch;
}

/**
 * The same rows, handed over a chunk's worth at a time: each async step costs about as much as
 * splitting a row, so bulk importers (200k-row reports) take batches.
 */
export async function* readCsvRowBatches(input: AsyncIterable<Buffer | string>, opts: ReadCsvOptions = {}): AsyncGenerator<CsvRow[]> {
  const what = opts.what ?? 'CSV';
  const maxField = opts.maxFieldChars ?? 16 * 1024 * 1024;
  const maxFields = opts.maxFields ?? 10_000;
  const decoder = new StringDecoder('utf8');
  const fail = (rule: string, message: string, line: number): never => {
    throw new TesseraError('ERR_INVALID_INPUT', `${what}: ${message}`, { field: 'file', rule, line });
  };

  let fields: string[] = [];
  let field = '';              // the part of the current field carried over from earlier chunks
  let inQuotes = false;        // inside a quoted field
  let quotePending = false;    // saw a quote inside a quoted field: "" escape or the closing quote?
  let afterQuote = false;      // the field's closing quote was seen; only , CR LF may follow
  let rowStarted = false;      // the row has content (so an empty line is not a row)
  let skipLf = false;          // the previous chunk ended with CR; a leading LF belongs to it
  let first = true;
  let line = 1, rowLine = 1, quoteLine = 1;

  const makeRow = (): CsvRow => {
    const row = fields as CsvRow;
    Object.defineProperty(row, 'line', { value: rowLine, enumerable: false });
    fields = [];
    rowStarted = false;
    return row;
  };

  function scan(s: string, out: CsvRow[]): void {
    let i = 0, start = 0;
    if (skipLf) { skipLf = false; if (s.charCodeAt(0) === LF) i = start = 1; }
    const n = s.length;
    let nextQuote = -2, nextCr = -2; // next '"' / CR in s at or after i (-1: none), found lazily
    while (i < n) {
      // Fast path: a whole line without quotes at the start of a row is split natively.
      if (!inQuotes && !rowStarted && !afterQuote && field === '' && start === i) {
        const nl = s.indexOf('\n', i);
        if (nl !== -1 && nl - i <= FAST_LINE && nl - i <= maxField) {
          if (nextQuote !== -1 && nextQuote < i) nextQuote = s.indexOf('"', i);
          if (nextCr !== -1 && nextCr < i) nextCr = s.indexOf('\r', i);
          const end = nl > i && s.charCodeAt(nl - 1) === CR ? nl - 1 : nl;
          if (nextQuote === -1 || nextQuote > nl) {
            if (nextCr === -1 || nextCr >= end) { // a lone CR ends a row too: leave those to the loop
              if (end > i) {
                fields = s.slice(i, end).split(',');
                if (fields.length > maxFields) fail('row-size', `line ${line} has more than ${maxFields} fields`, line);
                out.push(makeRow());
              }
              line++; rowLine = line; i = start = nl + 1;
              continue;
            }
          }
        }
      }
      if (inQuotes) {
        if (quotePending) {
          quotePending = false;
          if (s.charCodeAt(i) === QUOTE) { field += '"'; start = ++i; continue; }
          inQuotes = false; afterQuote = true;
          continue; // the character after the closing quote is read as unquoted below
        }
        const q = s.indexOf('"', i);
        const end = q === -1 ? n : q;
        for (let k = i; k < end; k++) if (s.charCodeAt(k) === LF) line++;
        field += s.slice(start, end);
        if (field.length > maxField) fail('field-size', `a field longer than ${maxField} characters starts on line ${quoteLine}; is a quote left open?`, quoteLine);
        if (q === -1) { i = start = n; break; }
        quotePending = true; i = start = q + 1;
        continue;
      }
      const c = s.charCodeAt(i);
      if (c === COMMA) {
        fields.push(field + s.slice(start, i)); field = ''; afterQuote = false; rowStarted = true;
        if (fields.length >= maxFields) fail('row-size', `the row on line ${rowLine} has more than ${maxFields} fields`, rowLine);
        start = ++i;
      } else if (c === LF || c === CR) {
        const text = field + s.slice(start, i);
        if (rowStarted || text !== '' || afterQuote) { fields.push(text); out.push(makeRow()); }
        field = ''; afterQuote = false; line++; rowLine = line;
        i++;
        if (c === CR) { if (i === n) skipLf = true; else if (s.charCodeAt(i) === LF) i++; }
        start = i;
      } else if (afterQuote) {
        fail('quote', `unexpected character after a closing quote on line ${line}`, line);
      } else if (c === QUOTE) {
        if (i !== start || field !== '') fail('quote', `a quote inside an unquoted field on line ${line}`, line);
        inQuotes = true; rowStarted = true; quoteLine = line;
        start = ++i;
      } else {
        i++;
      }
    }
    if (!inQuotes && start < n) {
      field += s.slice(start, n);
      if (field.length > maxField) fail('field-size', `a field longer than ${maxField} characters on line ${line}`, line);
    }
  }

  for await (const piece of input) {
    let s = typeof piece === 'string' ? piece : decoder.write(piece);
    if (first && s.length > 0) { first = false; if (s.charCodeAt(0) === 0xfeff) s = s.slice(1); }
    const out: CsvRow[] = [];
    if (s.length > 0) scan(s, out);
    if (out.length > 0) yield out;
  }
  const out: CsvRow[] = [];
  const rest = decoder.end();
  if (rest) scan(rest, out);
  if (inQuotes && !quotePending) {
    if (out.length > 0) yield out; // the complete rows first, then the error about the broken one
    fail('truncated', `the file ends inside a quoted field that starts on line ${quoteLine}; was it truncated?`, quoteLine);
  }
  if (rowStarted || field !== '' || afterQuote || quotePending) { fields.push(field); field = ''; out.push(makeRow()); }
  if (out.length > 0) yield out;
}
