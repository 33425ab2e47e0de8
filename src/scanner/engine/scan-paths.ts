import { setImmediate as nextTurn } from 'node:timers/promises';
import { toSlash, walkFiles, type WalkOptions } from '../inputs/walk-files.ts';
import { scanFileSync, type FileResult } from './scan-file.ts';
import { WorkerPool, type DetectorSource } from './worker-pool.ts';
import type { DetectorLike, Finding, ScanResult } from './types.ts';

export interface ScanPathsOptions extends WalkOptions {
  detectors: readonly DetectorLike[];
  /** Files larger than this are skipped with a notice (default 100 MiB). */
  maxBytes?: number;
  /**
   * Threads that scan, this one included (default 1; give the number of cores): for large scans,
   * this many less one worker threads are started. Needs `detectorSource`, the module the workers
   * load the same detectors from. Started only once the scan is big enough to repay their start-up.
   */
  workers?: number;
  detectorSource?: DetectorSource;
}

/**
 * Worker threads start once this thread has scanned this much data or this many files: then the
 * scan is big enough to repay their start-up (~0.2 s of loading each); smaller ones never pay it.
 */
const WORKER_THRESHOLD = 8 << 20;
const WORKER_FILES = 256;
/** Files per batch: enough that messaging costs little, few enough to share work evenly. */
const BATCH = 64;
/** Bytes this thread scans between looks at whether a worker has room (about 10 ms of work). */
const STINT = 1 << 20;

export const DEFAULT_MAX_BYTES = 100 * 1024 * 1024;

/**
 * Scans files and folders. Binaries, oversized and unreadable files are reported as notices and the
 * scan carries on, so a partial result is always returned. Findings come in walk order whatever
 * thread scanned them, so output is stable run to run.
 *
 * With workers, this thread walks the folders and cuts the files into batches; each batch goes to
 * a worker with room for it, or else is scanned here. So every core scans (one thread per core, no
 * thread idling on the walk), and no list of waiting files builds up.
 */
export async function scanPaths(paths: string[], opts: ScanPathsOptions): Promise<ScanResult> {
  const result: ScanResult = { findings: [], notices: [], filesScanned: 0, bytesScanned: 0 };
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const perFile: (Finding[] | undefined)[] = [];
  const threads = opts.workers ?? 1;
  const useWorkers = threads > 1 && opts.detectorSource !== undefined;
  let pool: WorkerPool | undefined;
  let inThreadBytes = 0;
  let order = 0;
  let batch: { files: string[]; first: number } = { files: [], first: 0 };
  const sent: Promise<void>[] = [];

  const record = (n: number, r: FileResult): void => {
    if ('error' in r) result.notices.push({ path: r.path, kind: 'error', reason: r.error });
    else if ('skipped' in r) result.notices.push({ path: r.path, kind: 'skipped', reason: r.skipped });
    else {
      result.filesScanned++;
      result.bytesScanned += r.bytes;
      if (r.findings.length > 0) perFile[n] = r.findings;
    }
  };
  const scanHere = (path: string, display: string, n: number): number => {
    const r = scanFileSync(path, display, opts.detectors, maxBytes);
    record(n, r);
    const bytes = 'bytes' in r ? r.bytes : 0;
    inThreadBytes += bytes;
    return bytes;
  };
  const flush = async (): Promise<void> => {
    let { files, first } = batch;
    batch = { files: [], first: order };
    while (files.length > 0) {
      // Only the batch's position is kept here: results carry the paths they need for notices.
      if (pool!.hasRoom()) {
        const at = first;
        sent.push(pool!.scan(files).then((rs) => rs.forEach((r, i) => record(at + i, r))));
        break;
      }
      // Every worker is busy: scan here, but only about STINT bytes before letting their results
      // in, so a worker that frees up gets the rest rather than idling behind this thread.
      let done = 0, i = 0;
      for (; i < files.length && done < STINT; i++) done += scanHere(files[i]!, toSlash(files[i]!), first + i);
      files = files.slice(i);
      first += i;
      await nextTurn();
    }
  };

  try {
    for (const f of walkFiles(paths, opts, result.notices)) {
      const n = order++;
      if (!pool) {
        scanHere(f.path, f.display, n);
        if (useWorkers && (inThreadBytes > WORKER_THRESHOLD || order > WORKER_FILES)) {
          pool = new WorkerPool(threads - 1, opts.detectorSource!, maxBytes);
          batch = { files: [], first: order };
        }
        continue;
      }
      batch.files.push(f.path);
      if (batch.files.length >= BATCH) {
        await flush();
        // Let finished batches report back, so their workers have room again.
        await nextTurn();
      }
    }
    if (pool) await flush();
    await Promise.all(sent);
  } finally {
    await pool?.close();
  }
  for (const fs of perFile) if (fs) result.findings.push(...fs);
  return result;
}
