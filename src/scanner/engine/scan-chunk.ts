import { keywordHits, keywordHitsIgnoringCase } from './keyword-hits.ts';
import { scanAroundHits, type ChunkHit } from './scan-around-hits.ts';
import type { DetectorLike } from './types.ts';

export type { ChunkHit } from './scan-around-hits.ts';

/**
 * Runs the detectors over one chunk of text. A literal prefilter finds where each rule's keywords
 * occur (case-insensitively); the rule's regex then runs only in windows around those hits, so most
 * text never meets a regex. Matches starting at or after `limit` are left for the next chunk.
 * Raw bytes go through `scanBytes` instead, which avoids decoding text that has no keyword.
 */
export function scanChunk(text: string, detectors: readonly DetectorLike[], limit = text.length): ChunkHit[] {
  const lower = text.toLowerCase();
  // A few letters outside Latin-1 lowercase to two characters; offsets would then drift.
  const hits = lower.length === text.length ? keywordHits(lower, detectors) : keywordHitsIgnoringCase(text, detectors);
  return hits.size === 0 ? [] : scanAroundHits(text, hits, detectors, limit);
}
