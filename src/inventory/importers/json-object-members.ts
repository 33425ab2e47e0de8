// Streams the members of a top-level JSON object ({"key": {...}, "key2": {...}}) one at a time.
// jsonElements streams array elements only and keeps every other top-level member in memory;
// an export keyed by path (the Vault metadata file) would then be held whole. Each member's
// value must be an object; only that value is buffered and parsed.
import { TesseraError } from '../../shared/errors.ts';

export interface JsonMember {
  key: string;
  value: unknown;
}

const QUOTE = 0x22, BACKSLASH = 0x5c, LBRACE = 0x7b, RBRACE = 0x7d, LBRACKET = 0x5b, RBRACKET = 0x5d, COMMA = 0x2c, COLON = 0x3a;
const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

type State = 'start' | 'beforeKey' | 'key' | 'afterKey' | 'beforeValue' | 'value' | 'afterValue' | 'end';

export interface JsonObjectMembersOptions {
  /** Used in error messages ("the Vault metadata file"). */
  what: string;
  /** Largest single member value accepted (bytes). */
  maxValueBytes?: number;
  /** Says what a member whose value is not an object means (e.g. "a single metadata get output"). */
  notObject?: (key: string) => string;
}

export async function* jsonObjectMembers(input: AsyncIterable<Buffer | string>, opts: JsonObjectMembersOptions): AsyncGenerator<JsonMember> {
  const maxBytes = opts.maxValueBytes ?? 16 * 1024 * 1024;
  const fail = (rule: string, msg: string): never => {
    throw new TesseraError('ERR_INVALID_INPUT', `${opts.what}: ${msg}`, { field: 'file', rule });
  };
  let state: State = 'start';
  let afterComma = false, bom = true, offset = 0;
  let parts: Buffer[] = [], partStart = -1, partBytes = 0;
  let depth = 0, inString = false, escaped = false;
  let key = '';
  const collect = (buf: Buffer, end: number): string => {
    parts.push(buf.subarray(partStart, end));
    const text = Buffer.concat(parts).toString('utf8');
    parts = []; partStart = -1; partBytes = 0;
    return text;
  };
  for await (const piece of input) {
    const buf = typeof piece === 'string' ? Buffer.from(piece) : piece;
    let i = 0;
    if (bom && buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) i = 3;
    bom = false;
    for (; i < buf.length; i++) {
      const c = buf[i]!;
      switch (state) {
        case 'start':
          if (isSpace(c)) break;
          if (c !== LBRACE) fail('json', c === LBRACKET ? 'the file is a JSON array, not an object keyed by path' : 'the file is not a JSON object');
          state = 'beforeKey'; afterComma = false;
          break;
        case 'beforeKey':
          if (isSpace(c)) break;
          if (c === RBRACE && !afterComma) { state = 'end'; break; }
          if (c !== QUOTE) fail('json', `expected a quoted key near byte ${offset + i}`);
          state = 'key'; partStart = i + 1; escaped = false;
          break;
        case 'key':
          if (escaped) escaped = false;
          else if (c === BACKSLASH) escaped = true;
          else if (c === QUOTE) {
            const raw = collect(buf, i);
            try { key = JSON.parse(`"${raw}"`) as string; } catch { fail('json', `invalid key near byte ${offset + i}`); }
            state = 'afterKey';
          }
          break;
        case 'afterKey':
          if (isSpace(c)) break;
          if (c !== COLON) fail('json', `expected ":" after key ${JSON.stringify(key)}`);
          state = 'beforeValue';
          break;
        case 'beforeValue':
          if (isSpace(c)) break;
          if (c !== LBRACE) fail('member-not-object', opts.notObject?.(key) ?? `the value of ${JSON.stringify(key)} is not an object`);
          state = 'value'; partStart = i; depth = 1; inString = false; escaped = false;
          break;
        case 'value':
          if (inString) {
            if (escaped) escaped = false;
            else if (c === BACKSLASH) escaped = true;
            else if (c === QUOTE) inString = false;
          } else if (c === QUOTE) inString = true;
          else if (c === LBRACE || c === LBRACKET) depth++;
          else if ((c === RBRACE || c === RBRACKET) && --depth === 0) {
            const text = collect(buf, i + 1);
            let value: unknown;
            try { value = JSON.parse(text); } catch (e) { fail('json', `invalid JSON in the value of ${JSON.stringify(key)}: ${(e as Error).message}`); }
            state = 'afterValue';
            yield { key, value };
          }
          break;
        case 'afterValue':
          if (isSpace(c)) break;
          if (c === COMMA) { state = 'beforeKey'; afterComma = true; break; }
          if (c === RBRACE) { state = 'end'; break; }
          fail('json', `expected "," or "}" near byte ${offset + i}`);
          break;
        case 'end':
          if (!isSpace(c)) fail('json', `unexpected data after the end of the object near byte ${offset + i}`);
          break;
      }
    }
    if (partStart >= 0) {
      parts.push(buf.subarray(partStart));
      partBytes += buf.length - partStart;
      if (partBytes > maxBytes) fail('element-size', `one value is larger than ${maxBytes} bytes; is this the right kind of file?`);
      partStart = 0;
    }
    offset += buf.length;
  }
  if (state === 'start') fail('empty', 'the file is empty');
  if (state !== 'end') fail('truncated', `the file ends in the middle of the document (byte ${offset}); was it truncated?`);
}
