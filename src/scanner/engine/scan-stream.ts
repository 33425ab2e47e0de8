import type { Readable } from 'node:stream';
import { scanChunk } from './scan-chunk.ts';
import { fingerprint } from './fingerprint.ts';
import type { DetectorLike, Finding } from './types.ts';

/** Text is scanned in pieces of about this size; memory stays flat whatever the input. */
const CHUNK = 1 << 20;
/** Text kept from one piece to the next so a secret on a boundary is seen whole. */
const OVERLAP = 16 << 10;
/** How much of the start is inspected for NUL bytes to call the input binary. */
const SNIFF = 8000;

export interface StreamScan {
  findings: Finding[];
  bytes: number;
  binary: boolean;
}

export interface StreamOptions {
  /** Maps a chunk-relative line number to the real one (git hunks). Identity when absent. */
  mapLine?: (line: number) => number;
  extra?: Pick<Finding, 'commit' | 'author' | 'date'>;
  /** Scan even if the content looks binary (stdin logs may hold stray NULs). */
  allowBinary?: boolean;
}

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
  const decoder = new TextDecoder('utf-8', { fatal: false });
  const findings: Finding[] = [];
  let buf = '';
  let lineBase = 0; // lines wholly before buf
  let colBase = 0; // columns already consumed on buf's first line (a cut inside a long line)
  let bytes = 0;
  let sniffed = false;

  const flush = (final: boolean): void => {
    let cut: number;
    if (final) cut = buf.length;
    else {
      const nl = buf.lastIndexOf('\n', buf.length - OVERLAP);
      cut = nl !== -1 && nl > 0 ? nl + 1 : buf.length - OVERLAP;
    }
    if (cut <= 0) return;
    for (const h of scanChunk(buf, detectors, cut)) {
      const rel = h.line - 1;
      const line = lineBase + rel + 1;
      findings.push({
        detector: h.detector, severity: h.severity, confidence: h.confidence, secret: h.secret,
        line: opts.mapLine ? opts.mapLine(line) : line,
        column: rel === 0 ? h.column + colBase : h.column,
        path, fingerprint: fingerprint(h.secret, path), lineText: clip(h.lineText),
        ...(h.details ? { details: h.details } : {}), ...(opts.extra ?? {}),
      });
    }
    const consumed = buf.slice(0, cut);
    let newlines = 0, lastNl = -1;
    for (let i = consumed.indexOf('\n'); i !== -1; i = consumed.indexOf('\n', i + 1)) { newlines++; lastNl = i; }
    colBase = newlines === 0 ? colBase + cut : cut - lastNl - 1;
    lineBase += newlines;
    buf = buf.slice(cut);
  };

  for await (const piece of stream as AsyncIterable<Buffer | string> | Iterable<Buffer | string>) {
    const b = typeof piece === 'string' ? Buffer.from(piece) : piece;
    if (!sniffed) {
      sniffed = true;
      if (!opts.allowBinary && b.subarray(0, SNIFF).includes(0)) {
        if ('destroy' in stream && typeof stream.destroy === 'function') stream.destroy();
        return { findings: [], bytes: 0, binary: true };
      }
    }
    bytes += b.length;
    buf += decoder.decode(b, { stream: true });
    while (buf.length >= CHUNK + OVERLAP) flush(false);
  }
  buf += decoder.decode();
  flush(true);
  return { findings, bytes, binary: false };
}

/** Lines kept on findings are for allow comments only; cap them so a 1 GB line is not copied. */
function clip(line: string): string {
  return line.length > 4096 ? line.slice(0, 4096) : line;
}
