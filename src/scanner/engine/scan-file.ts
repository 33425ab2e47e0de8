import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { ChunkedScan, CHUNK } from './chunked-scan.ts';
import { describe } from '../inputs/walk-files.ts';
import type { DetectorLike, Finding } from './types.ts';

/** What became of one file: scanned, or skipped (binary, too large) or unreadable, with its displayed path. */
export type FileResult =
  | { findings: Finding[]; bytes: number }
  | { skipped: string; path: string }
  | { error: string; path: string };

/** Files up to this size are read in one piece; larger ones a chunk at a time (flat memory). */
const WHOLE_FILE = 4 * CHUNK;

/**
 * Whole files are read into this one buffer, reused from file to file: the scan keeps no view of
 * it once it returns (findings hold decoded strings), and fresh buffers for tens of thousands of
 * files would cost allocations and garbage collections.
 */
let scratch = Buffer.allocUnsafeSlow(64 << 10);

/**
 * Reads and scans one file synchronously: open, fstat (the size limit), read, close — four system
 * calls, none of them waiting on a thread pool, which for tens of thousands of small files costs far
 * less than asynchronous reads. Meant for worker threads and for scans too small to need them.
 */
export function scanFileSync(path: string, display: string, detectors: readonly DetectorLike[], maxBytes: number): FileResult {
  let fd: number;
  try { fd = openSync(path, 'r'); } catch (e) { return { error: describe(e), path: display }; }
  try {
    const st = fstatSync(fd);
    // Only a race with the walk gets a folder here (opening one for reading works; reading it does not).
    if (st.isDirectory()) return { error: 'is a folder (EISDIR)', path: display };
    const size = st.size;
    if (size > maxBytes) return { skipped: `larger than the size limit (${size} > ${maxBytes} bytes)`, path: display };
    const scan = new ChunkedScan(display, detectors);
    if (size > 0 && size <= WHOLE_FILE) {
      if (scratch.length < size) scratch = Buffer.allocUnsafeSlow(Math.min(WHOLE_FILE, Math.max(size, 2 * scratch.length)));
      let n = 0;
      for (let r; n < size && (r = readSync(fd, scratch, n, size - n, null)) > 0;) n += r;
      if (!scan.push(scratch.subarray(0, n))) return { skipped: 'binary', path: display };
    } else {
      // Large, or a size the file system does not know (0 for some special files): read to the end
      // in chunks, each its own buffer since the scan holds on to the last one or two. An empty
      // file costs one small read, not a chunk-sized buffer.
      if (size === 0) {
        const r = readSync(fd, scratch, 0, scratch.length, null);
        if (r === 0) return { findings: [], bytes: 0 };
        if (!scan.push(Buffer.from(scratch.subarray(0, r)))) return { skipped: 'binary', path: display };
      }
      for (;;) {
        const piece = Buffer.allocUnsafe(CHUNK);
        const r = readSync(fd, piece, 0, CHUNK, null);
        if (r === 0) break;
        if (!scan.push(piece.subarray(0, r))) return { skipped: 'binary', path: display };
      }
    }
    scan.end();
    return { findings: scan.findings, bytes: scan.bytes };
  } catch (e) {
    return { error: describe(e), path: display };
  } finally {
    closeSync(fd);
  }
}
