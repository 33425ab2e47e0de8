import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { scanStream } from './scan-stream.ts';
import { walkFiles, describe, type WalkOptions } from '../inputs/walk-files.ts';
import { WorkerPool, type DetectorSource, type WorkerReply } from './worker-pool.ts';
import type { DetectorLike, ScanResult } from './types.ts';

export interface ScanPathsOptions extends WalkOptions {
  detectors: readonly DetectorLike[];
  /** Files larger than this are skipped with a notice (default 100 MiB). */
  maxBytes?: number;
  /** Files scanned at once (I/O overlap; default 8). */
  concurrency?: number;
  /**
   * Worker threads for large scans (default 0: scan on this thread). Needs `detectorSource`, the
   * module the workers load the same detectors from. Started only once the scan is big enough to
   * repay their start-up.
   */
  workers?: number;
  detectorSource?: DetectorSource;
}

/** Files up to this size are read in one call (a stream costs more than it saves for them). */
const SMALL_FILE = 1 << 20;

/** Below this much file data the scan stays on the calling thread. */
const WORKER_THRESHOLD = 8 << 20;

export const DEFAULT_MAX_BYTES = 100 * 1024 * 1024;

/**
 * Scans files and folders. Every file is streamed; binaries, oversized and unreadable files are
 * reported as notices and the scan carries on, so a partial result is always returned.
 */
export async function scanPaths(paths: string[], opts: ScanPathsOptions): Promise<ScanResult> {
  const result: ScanResult = { findings: [], notices: [], filesScanned: 0, bytesScanned: 0 };
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const running = new Set<Promise<void>>();
  const limit = Math.max(1, opts.concurrency ?? 8);
  const perFile: { order: number; findings: ScanResult['findings'] }[] = [];
  let order = 0;
  let pool: WorkerPool | undefined;
  let seenBytes = 0;
  const useWorkers = (opts.workers ?? 0) > 1 && opts.detectorSource !== undefined;
  try {
    for await (const f of walkFiles(paths, opts, result.notices)) {
      if (f.size > maxBytes) { result.notices.push({ path: f.display, kind: 'skipped', reason: `larger than the size limit (${f.size} > ${maxBytes} bytes)` }); continue; }
      const n = order++;
      seenBytes += f.size;
      if (useWorkers && !pool && seenBytes > WORKER_THRESHOLD) pool = new WorkerPool(opts.workers!, opts.detectorSource!);
      const via = pool;
      const job = (async () => {
        try {
          const r: WorkerReply = via ? await via.scan(f.path, f.display, f.size)
            : await scanStream(f.size <= SMALL_FILE ? [await readFile(f.path)] : createReadStream(f.path, { highWaterMark: 1 << 20 }), f.display, opts.detectors);
          if ('error' in r) { result.notices.push({ path: f.display, kind: 'error', reason: r.error }); return; }
          if (r.binary) { result.notices.push({ path: f.display, kind: 'skipped', reason: 'binary' }); return; }
          result.filesScanned++;
          result.bytesScanned += r.bytes;
          perFile.push({ order: n, findings: r.findings });
        } catch (e) {
          result.notices.push({ path: f.display, kind: 'error', reason: describe(e) });
        }
      })();
      const tracked = job.finally(() => running.delete(tracked));
      running.add(tracked);
      if (running.size >= (pool ? limit + opts.workers! * 2 : limit)) await Promise.race(running);
    }
    await Promise.all(running);
  } finally {
    await Promise.allSettled(running);
    await pool?.close();
  }
  // Walk order, whatever order the reads finished in: output is stable run to run.
  perFile.sort((a, b) => a.order - b.order);
  result.findings = perFile.flatMap((p) => p.findings);
  return result;
}
