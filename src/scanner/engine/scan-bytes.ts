import { decodedLength, decodeUtf8 } from './decode-utf8.ts';
import { WHOLE, type KeywordHits } from './keyword-hits.ts';
import { keywordHitsInBytes } from './keyword-hits-in-bytes.ts';
import { scanAroundHits, type ChunkHit } from './scan-around-hits.ts';
import { scanChunk } from './scan-chunk.ts';
import type { DetectorLike } from './types.ts';

/**
 * Runs the detectors over one chunk of UTF-8 bytes. The keyword prefilter runs on the bytes
 * themselves; only a chunk with a keyword hit is decoded (invalid sequences become U+FFFD) and
 * searched by the rules' regexes, so most text is never decoded at all. `limit` is a byte offset at
 * a character boundary; offsets and columns in the result count characters of the decoded text.
 */
export function scanBytes(bytes: Buffer, detectors: readonly DetectorLike[], limit = bytes.length): ChunkHit[] {
  const hits = keywordHitsInBytes(bytes, detectors);
  if (hits === undefined) {
    // Keywords the byte scan cannot take (very short or non-ASCII): decode and search the text.
    const text = decodeUtf8(bytes);
    return scanChunk(text, detectors, text.length === bytes.length ? limit : decodedLength(bytes, 0, limit));
  }
  if (hits.size === 0) return [];
  const text = decodeUtf8(bytes);
  // Every character from one byte (pure ASCII, the usual case): byte offsets are character offsets.
  if (text.length === bytes.length) return scanAroundHits(text, hits, detectors, limit);
  const toChar = byteToCharOffsets(bytes, hits, limit);
  for (const [d, points] of hits) hits.set(d, points.map((p) => (p === WHOLE ? WHOLE : toChar.get(p)!)));
  return scanAroundHits(text, hits, detectors, toChar.get(limit)!);
}

/**
 * Character offsets of the given byte offsets, by decoding the stretches between them. Each is at an
 * ASCII byte or a character boundary, where a decoder holds no partial sequence, so the stretches'
 * lengths add up to what decoding the whole prefix would give.
 */
function byteToCharOffsets(bytes: Buffer, hits: KeywordHits, limit: number): Map<number, number> {
  const points = new Set<number>([limit]);
  for (const list of hits.values()) for (const p of list) if (p !== WHOLE) points.add(p);
  const sorted = [...points].sort((a, b) => a - b);
  const out = new Map<number, number>();
  let byte = 0, char = 0;
  for (const p of sorted) {
    if (p > byte) char += decodedLength(bytes, byte, p);
    byte = p;
    out.set(p, char);
  }
  return out;
}
