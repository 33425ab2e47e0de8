import type { Readable } from 'node:stream';
import { ChunkedScan, type ChunkedScanOptions } from './chunked-scan.ts';
import type { DetectorLike, Finding } from './types.ts';

export interface StreamScan {
  findings: Finding[];
  bytes: number;
  binary: boolean;
}

export type StreamOptions = ChunkedScanOptions;

/**
 * Scans a byte stream. Invalid UTF-8 decodes to U+FFFD (the rest is still scanned); a single
 * enormous line is cut into overlapping pieces rather than held in memory.
 */
export async function scanStream(
  stream: AsyncIterable<Buffer | string> | Iterable<Buffer | string> | Readable,
  path: string,
  detectors: readonly DetectorLike[],
  opts: StreamOptions = {},
): Promise<StreamScan> {
  const scan = new ChunkedScan(path, detectors, opts);
  for await (const piece of stream as AsyncIterable<Buffer | string> | Iterable<Buffer | string>) {
    if (!scan.push(typeof piece === 'string' ? Buffer.from(piece) : piece)) {
      if ('destroy' in stream && typeof stream.destroy === 'function') stream.destroy();
      return { findings: [], bytes: 0, binary: true };
    }
  }
  scan.end();
  return { findings: scan.findings, bytes: scan.bytes, binary: false };
}
