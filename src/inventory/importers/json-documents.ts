// Several JSON documents written one after another into one file: what a shell loop over
// `gcloud … keys list --format=json` produces, and what `gh api --paginate` prints for a list
// of several pages. jsonElements reads one document, so this splits the byte stream at the end
// of each top-level value and hands every document over as its own stream, without buffering.

const QUOTE = 0x22, BACKSLASH = 0x5c, LBRACE = 0x7b, RBRACE = 0x7d, LBRACKET = 0x5b, RBRACKET = 0x5d;
// Whitespace, plus the UTF-8 byte order mark: neither can appear between documents otherwise.
const isSkippable = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0xef || c === 0xbb || c === 0xbf;

/**
 * Yields one byte stream per top-level document. Each must be read to its end before the next
 * is requested (jsonElements does). A document that does not start with { or [ gets the rest of
 * the input, so the parser reading it reports what is wrong. An empty input yields nothing.
 */
export async function* jsonDocuments(input: AsyncIterable<Buffer | string>): AsyncGenerator<AsyncIterable<Buffer>> {
  const it = input[Symbol.asyncIterator]();
  let pending: Buffer | undefined;
  let exhausted = false;
  const next = async (): Promise<Buffer | undefined> => {
    if (pending) { const p = pending; pending = undefined; return p; }
    if (exhausted) return undefined;
    const r = await it.next();
    if (r.done) { exhausted = true; return undefined; }
    return typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
  };

  for (;;) {
    let first: Buffer | undefined;
    for (;;) {
      const buf = await next();
      if (!buf) return;
      let i = 0;
      while (i < buf.length && isSkippable(buf[i]!)) i++;
      if (i < buf.length) { first = buf.subarray(i); break; }
    }
    const opaque = first[0] !== LBRACE && first[0] !== LBRACKET;
    let finished = false;
    async function* documentBytes(start: Buffer): AsyncGenerator<Buffer> {
      let depth = 0, inString = false, escaped = false;
      for (let chunk: Buffer | undefined = start; chunk; chunk = await next()) {
        if (!opaque) {
          for (let i = 0; i < chunk.length; i++) {
            const c = chunk[i]!;
            if (inString) {
              if (escaped) escaped = false;
              else if (c === BACKSLASH) escaped = true;
              else if (c === QUOTE) inString = false;
            } else if (c === QUOTE) inString = true;
            else if (c === LBRACE || c === LBRACKET) depth++;
            else if ((c === RBRACE || c === RBRACKET) && --depth === 0) {
              if (i + 1 < chunk.length) pending = chunk.subarray(i + 1);
              finished = true;
              yield chunk.subarray(0, i + 1);
              return;
            }
          }
        }
        yield chunk;
      }
      finished = true; // the input ended inside the document: its parser reports the truncation
    }
    yield documentBytes(first);
    // The reader stopped early (it failed or was abandoned): do not read past its document.
    if (!finished) return;
  }
}
