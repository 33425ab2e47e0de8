import { decodedLength } from './decode-utf8.ts';
import { scanBytes } from './scan-bytes.ts';
import { fingerprint } from './fingerprint.ts';
import type { DetectorLike, Finding } from './types.ts';

/** Bytes are scanned in pieces of about this size; memory stays flat whatever the input. */
export const CHUNK = 1 << 20;
/** Bytes kept from one piece to the next so a secret on a boundary is seen whole. */
const OVERLAP = 16 << 10;
/** How much of the start is inspected for NUL bytes to call the input binary. */
const SNIFF = 8000;
const NL = 0x0a;

export interface ChunkedScanOptions {
  /** Maps a chunk-relative line number to the real one (git hunks). Identity when absent. */
  mapLine?: (line: number) => number;
  extra?: Pick<Finding, 'commit' | 'author' | 'date'>;
  /** Scan even if the content looks binary (stdin logs may hold stray NULs). */
  allowBinary?: boolean;
}

/**
 * One input scanned as its bytes arrive (push, push, …, end), synchronously, so a worker thread or
 * a stream reader can drive it. Bytes are cut into overlapping pieces on line ends (or, in a huge
 * single line, on a character boundary), so a 1 GB line uses flat memory, and line and column
 * numbers carry across pieces. Invalid UTF-8 decodes to U+FFFD; the rest is still scanned.
 */
export class ChunkedScan {
  readonly findings: Finding[] = [];
  bytes = 0;
  binary = false;
  private readonly path: string;
  private readonly detectors: readonly DetectorLike[];
  private readonly opts: ChunkedScanOptions;
  private pending: Buffer[] = [];
  private pendingLength = 0;
  private started = false;
  private lineBase = 0; // lines wholly before the pending bytes
  private colBase = 0; // characters already consumed on the pending bytes' first line (a cut inside a long line)

  constructor(path: string, detectors: readonly DetectorLike[], opts: ChunkedScanOptions = {}) {
    this.path = path;
    this.detectors = detectors;
    this.opts = opts;
  }

  /** Adds bytes; false once the input turned out to be binary (push no more). */
  push(piece: Buffer): boolean {
    if (this.binary) return false;
    if (!this.started && piece.length > 0) {
      this.started = true;
      if (!this.opts.allowBinary && piece.subarray(0, SNIFF).includes(0)) { this.binary = true; return false; }
      this.bytes += piece.length;
      // A byte-order mark is not text: readers drop it, and columns on line 1 count without it.
      if (piece[0] === 0xef && piece[1] === 0xbb && piece[2] === 0xbf) piece = piece.subarray(3);
    } else this.bytes += piece.length;
    // A piece already in memory is scanned as it is (no copy); small pieces gather to a chunk.
    this.pending.push(piece);
    this.pendingLength += piece.length;
    if (this.pendingLength >= CHUNK + OVERLAP) this.flush(false);
    return true;
  }

  /** Scans what is left; the findings are complete after this. */
  end(): void {
    if (!this.binary) this.flush(true);
  }

  private flush(final: boolean): void {
    const buf = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingLength);
    let cut: number;
    if (final) cut = buf.length;
    else {
      const nl = buf.lastIndexOf(NL, buf.length - OVERLAP);
      if (nl > 0) cut = nl + 1;
      else {
        // No line end: cut at a character boundary (never inside a UTF-8 sequence).
        cut = buf.length - OVERLAP;
        for (let back = 0; back < 3 && cut > 0 && (buf[cut]! & 0xc0) === 0x80; back++) cut--;
      }
    }
    if (cut <= 0) return;
    for (const h of scanBytes(buf, this.detectors, cut)) {
      const rel = h.line - 1;
      const line = this.lineBase + rel + 1;
      this.findings.push({
        detector: h.detector, severity: h.severity, confidence: h.confidence, secret: h.secret,
        line: this.opts.mapLine ? this.opts.mapLine(line) : line,
        column: rel === 0 ? h.column + this.colBase : h.column,
        path: this.path, fingerprint: fingerprint(h.secret, this.path), lineText: clip(h.lineText),
        ...(h.details ? { details: h.details } : {}), ...(this.opts.extra ?? {}),
      });
    }
    if (final) { this.pending = []; this.pendingLength = 0; return; }
    let newlines = 0, lastNl = -1;
    for (let i = buf.indexOf(NL); i !== -1 && i < cut; i = buf.indexOf(NL, i + 1)) { newlines++; lastNl = i; }
    const tail = decodedLength(buf, lastNl + 1, cut);
    this.colBase = newlines === 0 ? this.colBase + tail : tail;
    this.lineBase += newlines;
    const rest = buf.subarray(cut);
    this.pending = [rest];
    this.pendingLength = rest.length;
  }
}

/** Lines kept on findings are for allow comments only; cap them so a 1 GB line is not copied. */
function clip(line: string): string {
  return line.length > 4096 ? line.slice(0, 4096) : line;
}
