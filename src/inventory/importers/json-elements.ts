// Streams the elements of the arrays in a JSON document without holding the document: a byte
// scanner finds where each array element starts and ends, and only that element is parsed.
// Exports of 100k+ objects (kubectl List, gcloud lists) stay flat in memory, and a 2 GB file
// is read once instead of failing on V8's string limit.
import { TesseraError } from '../../shared/errors.ts';

export interface JsonElement {
  /** The top-level key of the array ('' when the document itself is an array). */
  key: string;
  value: unknown;
}

export interface JsonElementsOptions {
  /** Top-level keys whose arrays are streamed; other top-level values land in `top`. */
  arrays?: readonly string[];
  /** Largest single element accepted (bytes); bigger means the file is not what it claims. */
  maxElementBytes?: number;
  /** Used in error messages ("the Kubernetes list"). */
  what: string;
}

export interface JsonElementsRun {
  elements: AsyncGenerator<JsonElement>;
  /** Top-level scalar/object members seen so far (complete once elements is exhausted). */
  top: Record<string, unknown>;
  /** 'array' or 'object' once the first byte is seen. */
  rootType(): 'array' | 'object' | undefined;
}

const QUOTE = 0x22, BACKSLASH = 0x5c, LBRACE = 0x7b, RBRACE = 0x7d, LBRACKET = 0x5b, RBRACKET = 0x5d, COMMA = 0x2c, COLON = 0x3a;
const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

export function jsonElements(input: AsyncIterable<Buffer | string>, opts: JsonElementsOptions): JsonElementsRun {
  const top: Record<string, unknown> = {};
  const wanted = opts.arrays ? new Set(opts.arrays) : undefined;
  const maxBytes = opts.maxElementBytes ?? 64 * 1024 * 1024;
  let root: 'array' | 'object' | undefined;
  const fail = (rule: string, msg: string): never => {
    throw new TesseraError('ERR_INVALID_INPUT', `${opts.what}: ${msg}`, { field: 'file', rule });
  };

  async function* run(): AsyncGenerator<JsonElement> {
    // depth counts open {/[ ; a "capture" collects the bytes of one value at a chosen depth.
    let depth = 0, inString = false, escaped = false, bom = true;
    let key = '', keyParts: Buffer[] | undefined;           // top-level key being read
    let expectKey = false;                                   // at depth 1 of an object, before a key
    let arrayKey: string | undefined;                        // streaming the elements of this array
    let capture: Buffer[] | undefined, captureStart = -1, captureDepth = 0, captureBytes = 0;
    let container = false;                                   // the captured value is an object/array
    let captureKey: string | undefined;                      // set when capturing a top-level member
    let offset = 0;
    const elementDepth = () => (root === 'object' ? 2 : 1);
    for await (const piece of input) {
      const buf = typeof piece === 'string' ? Buffer.from(piece) : piece;
      let i = 0;
      if (bom && buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) i = 3;
      bom = false;
      // Ends the captured value at `end` (exclusive) and returns it.
      const take = (end: number): JsonElement | undefined => {
        // Most elements sit inside one piece: decode them in place, without a copy.
        const text = capture!.length === 0 ? buf.toString('utf8', captureStart, end)
          : Buffer.concat([...capture!, buf.subarray(captureStart, end)]).toString('utf8');
        let value: unknown;
        try { value = JSON.parse(text); } catch (e) { fail('json', `invalid JSON near byte ${offset + end}: ${(e as Error).message}`); }
        capture = undefined; captureStart = -1;
        if (captureKey !== undefined) { top[captureKey] = value; captureKey = undefined; return undefined; }
        return { key: arrayKey!, value };
      };
      for (; i < buf.length; i++) {
        const c = buf[i]!;
        if (inString) {
          // Strings are most of an export's bytes: jump from quote to quote (memchr) instead of
          // stepping byte by byte; a quote preceded by an odd run of backslashes is escaped.
          if (escaped) { escaped = false; continue; }
          let q = buf.indexOf(QUOTE, i);
          while (q >= 0) {
            let b = q - 1;
            while (b >= i && buf[b] === BACKSLASH) b--;
            if ((q - 1 - b) % 2 === 0) break;
            q = buf.indexOf(QUOTE, q + 1);
          }
          if (q < 0) {
            // The string goes on in the next piece: carry whether its last byte escapes the next one.
            let b = buf.length - 1;
            while (b >= i && buf[b] === BACKSLASH) b--;
            escaped = (buf.length - 1 - b) % 2 === 1;
            i = buf.length - 1;
            continue;
          }
          i = q;
          inString = false;
          if (keyParts) {
            keyParts.push(buf.subarray(captureStart, i));
            key = JSON.parse(`"${Buffer.concat(keyParts).toString('utf8')}"`) as string;
            keyParts = undefined; captureStart = -1;
          }
          continue;
        }
        if (isSpace(c)) continue;
        if (root === undefined) {
          if (c === LBRACKET) { root = 'array'; depth = 1; arrayKey = ''; continue; }
          if (c === LBRACE) { root = 'object'; depth = 1; expectKey = true; continue; }
          fail('json', 'the file is not JSON (it must start with { or [)');
        }
        if (capture === undefined && c !== COMMA && c !== COLON && c !== RBRACE && c !== RBRACKET) {
          if (arrayKey !== undefined && depth === elementDepth()) {
            capture = []; captureStart = i; captureDepth = depth; captureBytes = 0; captureKey = undefined;
            container = c === LBRACE || c === LBRACKET;
          } else if (root === 'object' && depth === 1 && !expectKey) {
            if (c === LBRACKET && (wanted === undefined || wanted.has(key))) { arrayKey = key; depth++; continue; }
            capture = []; captureStart = i; captureDepth = depth; captureBytes = 0; captureKey = key;
            container = c === LBRACE || c === LBRACKET;
          }
        }
        if (c === QUOTE) {
          if (root === 'object' && depth === 1 && expectKey) { keyParts = []; captureStart = i + 1; expectKey = false; }
          inString = true;
          continue;
        }
        if (c === LBRACE || c === LBRACKET) { depth++; continue; }
        if (c === RBRACE || c === RBRACKET) {
          depth--;
          if (depth < 0) fail('json', `unbalanced brackets near byte ${offset + i}`);
          if (capture && container && depth === captureDepth) { const el = take(i + 1); if (el) yield el; continue; }
          if (capture && !container && depth === captureDepth - 1) { const el = take(i); if (el) yield el; }
          if (arrayKey !== undefined && depth === elementDepth() - 1) arrayKey = undefined;
          continue;
        }
        if (c === COMMA) {
          if (capture && !container && depth === captureDepth) { const el = take(i); if (el) yield el; }
          if (root === 'object' && depth === 1) expectKey = true;
        }
      }
      if (capture && captureStart >= 0) {
        capture.push(buf.subarray(captureStart));
        captureBytes += buf.length - captureStart;
        if (captureBytes > maxBytes) fail('element-size', `one element is larger than ${maxBytes} bytes; is this the right kind of file?`);
      }
      if (keyParts && captureStart >= 0) keyParts.push(buf.subarray(captureStart));
      captureStart = capture || keyParts ? 0 : -1;
      offset += buf.length;
    }
    if (root === undefined) fail('empty', 'the file is empty');
    if (depth !== 0 || inString) fail('truncated', `the file ends in the middle of the document (byte ${offset}); was it truncated?`);
  }
  return { elements: run(), top, rootType: () => root };
}
