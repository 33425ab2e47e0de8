import { isAscii } from 'node:buffer';

// The WHATWG decoder, as a text editor or browser reads the file: invalid sequences become U+FFFD
// (one per maximal invalid subpart). A byte-order mark is dropped by the reader at the start of a
// stream, not here, where a piece may start anywhere.
const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/** UTF-8 bytes to text. Pure ASCII (the usual case) takes latin1 decoding: same text, about twice as fast. */
export function decodeUtf8(bytes: Uint8Array, from = 0, to = bytes.length): string {
  const part = from === 0 && to === bytes.length ? bytes : bytes.subarray(from, to);
  return isAscii(part) ? Buffer.from(part.buffer, part.byteOffset, part.length).toString('latin1') : decoder.decode(part);
}

/** How many UTF-16 code units (string length) the bytes decode to, without making the string when they are ASCII. */
export function decodedLength(bytes: Uint8Array, from = 0, to = bytes.length): number {
  const part = bytes.subarray(from, to);
  return isAscii(part) ? part.length : decoder.decode(part).length;
}
